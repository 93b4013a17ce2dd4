package io.switchboard.bench;

import io.switchboard.core.net.Http1Client;
import io.switchboard.core.net.Http1Response;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The provider HTTP client on its own: one {@code POST} and its whole JSON answer at a time, against a blocking
 * loopback server that answers at once, plain and TLS (a self-signed certificate made with the JDK's keytool),
 * interleaved request by request: the JDK's {@code java.net.http} client as the gateway configured it (completions on
 * its selector thread, HTTP/2 asked for on TLS, which the server declines) against {@link Http1Client}. Connections are
 * kept alive on both sides, so the figures are the per-exchange cost of each client stack.
 *
 * <pre>java -cp bench/target/switchboard-bench.jar io.switchboard.bench.UpstreamClientBench [--requests 5000]</pre>
 */
public final class UpstreamClientBench {
    private static final byte[] BODY = ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] ANSWER = ("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,"
            + "\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello!\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,"
            + "\"total_tokens\":7}}").getBytes(StandardCharsets.UTF_8);

    private UpstreamClientBench() {
    }

    public static void main(String[] args) throws Exception {
        int requests = args.length > 1 && args[0].equals("--requests") ? Integer.parseInt(args[1]) : 5_000;
        SSLContext tls = selfSigned();
        System.out.println("Provider HTTP client, one exchange at a time, " + requests + " each, interleaved, after "
                + requests + " warm-up; JDK " + Runtime.version());
        for (boolean secure : new boolean[] {false, true}) {
            try (ServerSocket server = secure ? tls.getServerSocketFactory().createServerSocket(0, 50,
                    InetAddress.getLoopbackAddress()) : ServerSocketFactory.getDefault().createServerSocket(0, 50,
                    InetAddress.getLoopbackAddress());
                    HttpClient jdk = HttpClient.newBuilder().sslContext(tls).executor(Runnable::run)
                            .version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(5)).build();
                    Http1Client h1 = new Http1Client(SocketFactory.getDefault(), tls.getSocketFactory(),
                            Duration.ofSeconds(5), Duration.ofSeconds(30), 2)) {
                Thread.ofPlatform().daemon().start(() -> accept(server));
                URI uri = URI.create((secure ? "https" : "http") + "://127.0.0.1:" + server.getLocalPort()
                        + "/v1/chat/completions");
                run(jdk, h1, uri, requests); // warm-up
                long[][] t = run(jdk, h1, uri, requests);
                String scheme = secure ? "TLS  " : "plain";
                System.out.println(Percentiles.of(t[0]).row(scheme + " JDK HttpClient"));
                System.out.println(Percentiles.of(t[1]).row(scheme + " Http1Client"));
            }
        }
    }

    private static long[][] run(HttpClient jdk, Http1Client h1, URI uri, int n) throws Exception {
        long[] a = new long[n];
        long[] b = new long[n];
        HttpRequest request = HttpRequest.newBuilder(uri).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(BODY)).build();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            HttpResponse<byte[]> r = jdk.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                    .get(5, TimeUnit.SECONDS);
            a[i] = System.nanoTime() - t0;
            check(r.statusCode(), r.body());
            t0 = System.nanoTime();
            try (Http1Response x = h1.post(uri, Map.of("content-type", "application/json"), BODY)
                    .execute(Duration.ofSeconds(5))) {
                byte[] body = x.bytes(1 << 20);
                b[i] = System.nanoTime() - t0;
                check(x.status(), body);
            }
        }
        return new long[][] {a, b};
    }

    private static void check(int status, byte[] body) {
        if (status != 200 || body.length != ANSWER.length) {
            throw new IllegalStateException("unexpected answer " + status);
        }
    }

    private static void accept(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                Thread.ofPlatform().daemon().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Reads requests (head and content-length body) and answers each with the same JSON, kept alive. */
    private static void serve(Socket s) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            byte[] head = ("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: " + ANSWER.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] whole = new byte[head.length + ANSWER.length];
            System.arraycopy(head, 0, whole, 0, head.length);
            System.arraycopy(ANSWER, 0, whole, head.length, ANSWER.length);
            StringBuilder line = new StringBuilder();
            while (true) {
                int length = 0;
                while (true) {
                    line.setLength(0);
                    int c;
                    while ((c = in.read()) != '\n') {
                        if (c < 0) {
                            return;
                        }
                        if (c != '\r') {
                            line.append((char) c);
                        }
                    }
                    if (line.isEmpty()) {
                        break;
                    }
                    if (line.length() > 15 && line.substring(0, 15).equalsIgnoreCase("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                in.readNBytes(length);
                out.write(whole);
                out.flush();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** A self-signed certificate for IP 127.0.0.1, trusted by the returned context. */
    private static SSLContext selfSigned() throws Exception {
        Path dir = Files.createTempDirectory("upstream-client-bench");
        Path store = dir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "s", "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-keystore",
                store.toString(), "-storetype", "PKCS12", "-storepass", "changeit")
                .redirectErrorStream(true).redirectOutput(dir.resolve("keytool.log").toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + Files.readString(dir.resolve("keytool.log")));
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }
}
