package io.switchboard.core.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Http1Client} against raw loopback servers that answer exactly the bytes each test writes: framing (length,
 * chunked with extensions and trailers, until close, 1xx), connection reuse and its limits, the one resend on a stale
 * kept-alive connection and no other, deadlines, aborts from another thread, header injection, and TLS with hostname
 * verification.
 */
class Http1ClientTest {
    private static final byte[] BODY = "{\"model\":\"m\"}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    private final Http1Client client = new Http1Client(Duration.ofSeconds(2), Duration.ofSeconds(30), 2);
    private RawServer server;

    @AfterEach
    void stop() throws IOException {
        client.close();
        if (server != null) {
            server.close();
        }
    }

    /** What a connection of the server does: read requests and write answers, by hand. */
    interface Script {
        void run(Socket s, InputStream in, OutputStream out) throws Exception;
    }

    /** A server whose every connection runs the script; it records requests and counts connections. */
    static final class RawServer implements AutoCloseable {
        final ServerSocket socket;
        final AtomicInteger connections = new AtomicInteger();
        final List<String> requests = new CopyOnWriteArrayList<>();
        final List<Throwable> failures = new CopyOnWriteArrayList<>();

        RawServer(ServerSocketFactory factory, Script script) throws IOException {
            socket = factory.createServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofPlatform().daemon().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        connections.incrementAndGet();
                        Thread.ofPlatform().daemon().start(() -> {
                            try (s) {
                                script.run(s, new BufferedInputStream(s.getInputStream()), s.getOutputStream());
                            } catch (Exception e) {
                                if (!(e instanceof java.net.SocketException)) {
                                    failures.add(e);
                                }
                            }
                        });
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        URI uri(String scheme) {
            return URI.create(scheme + "://127.0.0.1:" + socket.getLocalPort() + "/v1/chat/completions?x=1");
        }

        /** Reads one request (head and content-length body), records it, returns it; null at end of stream. */
        String read(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int c;
            int state = 0;
            while (state < 4 && (c = in.read()) >= 0) {
                head.write(c);
                state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3))
                        ? state + 1 : 0;
            }
            if (head.size() == 0) {
                return null;
            }
            String h = head.toString(StandardCharsets.UTF_8);
            int length = 0;
            for (String line : h.split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            String request = h + new String(in.readNBytes(length), StandardCharsets.UTF_8);
            requests.add(request);
            return request;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String ok(String body) {
        return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    private RawServer start(Script script) throws IOException {
        server = new RawServer(ServerSocketFactory.getDefault(), script);
        return server;
    }

    private Http1Response post(Duration timeout) throws IOException {
        return client.post(server.uri("http"), Map.of("content-type", "application/json", "authorization", "Bearer k"),
                BODY).execute(timeout);
    }

    @Test
    void sendsOneWellFormedRequest_andReadsALengthFramedAnswer_overOneKeptAliveConnection() throws Exception {
        start((s, in, out) -> {
            while (server.read(in) != null) {
                write(out, ok("{\"n\":" + server.requests.size() + "}"));
            }
        });

        for (int i = 1; i <= 3; i++) {
            try (Http1Response r = post(Duration.ofSeconds(5))) {
                assertEquals(200, r.status());
                assertEquals("application/json", r.header("Content-Type"));
                assertEquals("{\"n\":" + i + "}", new String(r.bytes(1024), StandardCharsets.UTF_8));
            }
        }

        assertEquals(1, server.connections.get(), "one connection carries every request");
        String first = server.requests.get(0);
        assertTrue(first.startsWith("POST /v1/chat/completions?x=1 HTTP/1.1\r\n"), first);
        assertTrue(first.contains("\r\nhost: 127.0.0.1:" + server.socket.getLocalPort() + "\r\n"), first);
        assertTrue(first.contains("\r\ncontent-length: " + BODY.length + "\r\n"), first);
        assertTrue(first.contains("\r\nauthorization: Bearer k\r\n"), first);
        assertTrue(first.contains("\r\nuser-agent: switchboard\r\n"), first);
        assertTrue(first.endsWith("\r\n\r\n{\"model\":\"m\"}"), first);
        assertEquals(1, client.idleConnections());
    }

    @Test
    void chunkedAnswer_withExtensionsAndTrailers_afterAnInformationalAnswer() throws Exception {
        start((s, in, out) -> {
            while (server.read(in) != null) {
                write(out, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n7;ext=1\r\ndata: a\r\n" + "A\r\n\ndata: bc\n\r\n"
                        + "0\r\nx-trailer: 1\r\n\r\n");
            }
        });

        for (int i = 0; i < 2; i++) {
            try (Http1Response r = post(null)) {
                assertEquals(200, r.status());
                assertEquals("data: a\ndata: bc\n", new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        assertEquals(1, server.connections.get(), "a chunked body read to its end leaves the connection reusable");
    }

    @Test
    void answerUntilClose_andConnectionClose_areNotReused() throws Exception {
        start((s, in, out) -> {
            server.read(in);
            write(out, server.connections.get() == 1 ? "HTTP/1.1 200 OK\r\n\r\nuntil the end"
                    : "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
        });

        try (Http1Response r = post(Duration.ofSeconds(5))) {
            assertEquals("until the end", new String(r.bytes(1024), StandardCharsets.UTF_8));
        }
        try (Http1Response r = post(Duration.ofSeconds(5))) {
            assertEquals("ok", new String(r.bytes(1024), StandardCharsets.UTF_8));
        }
        assertEquals(2, server.connections.get());
        assertEquals(0, client.idleConnections());
    }

    @Test
    void aBodyClosedBeforeItsEnd_closesItsConnection_unlessTheRestHasArrived() throws Exception {
        CountDownLatch rest = new CountDownLatch(1);
        start((s, in, out) -> {
            while (server.read(in) != null) {
                if (server.requests.size() == 1) {
                    write(out, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0");
                    rest.await(5, TimeUnit.SECONDS);
                    write(out, "123456789");
                } else {
                    write(out, ok("0123456789"));
                }
            }
        });

        try (Http1Response r = post(Duration.ofSeconds(5))) {
            assertEquals('0', r.body().read());
        } // the rest is not here: the connection is closed
        rest.countDown();
        try (Http1Response r = post(Duration.ofSeconds(5))) {
            assertEquals('0', r.body().read());
            Thread.sleep(100); // the rest arrives in the buffer
        } // the rest is here: read, and the connection kept
        try (Http1Response r = post(Duration.ofSeconds(5))) {
            assertEquals("0123456789", new String(r.bytes(100), StandardCharsets.UTF_8));
        }
        assertEquals(2, server.connections.get(), "the first connection closed, the second carried two requests");
    }

    @Test
    void aKeptAliveConnectionTheServerClosed_isResentOnceOnANewOne() throws Exception {
        start((s, in, out) -> {
            server.read(in);
            write(out, ok("{}"));
            // then the server closes the idle connection, as servers do after their keep-alive timeout
        });

        try (Http1Response r = post(Duration.ofSeconds(5))) {
            r.bytes(100);
        }
        Thread.sleep(100); // let the server's close arrive
        try (Http1Response r = post(Duration.ofSeconds(5))) {
            assertEquals("{}", new String(r.bytes(100), StandardCharsets.UTF_8));
        }
        assertEquals(2, server.connections.get());
        assertEquals(2, server.requests.size(), "the stale connection never delivered the request");
    }

    @Test
    void aNewConnectionThatClosesWithoutAnswer_isNotResent() throws Exception {
        start((s, in, out) -> server.read(in)); // reads the request, then closes without a word

        assertThrows(IOException.class, () -> post(Duration.ofSeconds(5)));
        assertEquals(1, server.requests.size(), "sent once");
    }

    @Test
    void theDeadlineBoundsTheWholeExchange_aBodyTrickledSlowly() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        start((s, in, out) -> {
            server.read(in);
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
            for (int i = 0; i < 100 && done.getCount() > 0; i++) {
                write(out, "x");
                Thread.sleep(50);
            }
        });

        Http1Response r = post(Duration.ofMillis(600));
        long t0 = System.nanoTime();
        assertThrows(HttpTimeoutException.class, () -> r.bytes(1000));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        done.countDown();
        assertTrue(ms < 3_000, "bounded by the 600 ms deadline, took " + ms + " ms");
    }

    @Test
    void aSilentServer_timesOutWaitingForTheHead() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        start((s, in, out) -> {
            server.read(in);
            release.await(10, TimeUnit.SECONDS);
        });

        assertThrows(HttpTimeoutException.class, () -> post(Duration.ofMillis(300)));
        release.countDown();
    }

    @Test
    void abortFromAnotherThread_endsABlockedCallAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch received = new CountDownLatch(1);
        start((s, in, out) -> {
            server.read(in);
            received.countDown();
            release.await(10, TimeUnit.SECONDS);
        });
        Http1Call call = client.post(server.uri("http"), Map.of(), BODY);
        Thread.ofVirtual().start(() -> {
            try {
                received.await();
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            call.abort();
        });

        IOException e = assertThrows(IOException.class, () -> call.execute(null));
        assertTrue(call.aborted());
        assertTrue(String.valueOf(e.getMessage()).contains("aborted"), e.toString());
        release.countDown();
        assertEquals(1, server.requests.size(), "an aborted call is not resent");
    }

    @Test
    void errorStatus_bodyReadable_andRetryAfterHeader() throws Exception {
        start((s, in, out) -> {
            while (server.read(in) != null) {
                write(out, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Length: 9\r\n\r\n{\"e\":\"r\"}");
            }
        });

        try (Http1Response r = post(Duration.ofSeconds(5))) {
            assertEquals(429, r.status());
            assertEquals("7", r.header("retry-after"));
            assertNull(r.header("retry-after-ms"));
            assertEquals("{\"e\":\"r\"}", new String(r.bytes(100), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aBodyLongerThanTheLimit_isRefused() throws Exception {
        start((s, in, out) -> {
            server.read(in);
            write(out, ok("0123456789"));
        });

        try (Http1Response r = post(Duration.ofSeconds(5))) {
            assertThrows(ProtocolException.class, () -> r.bytes(4));
        }
    }

    @Test
    void malformedAnswers_areProtocolErrors() throws Exception {
        start((s, in, out) -> {
            server.read(in);
            write(out, "SSH-2.0-OpenSSH\r\n\r\n");
        });

        assertThrows(ProtocolException.class, () -> post(Duration.ofSeconds(5)));
    }

    @Test
    void headerValuesCannotInjectLines() {
        assertThrows(IllegalArgumentException.class, () -> client.post(URI.create("http://127.0.0.1:1/"),
                Map.of("x-evil", "a\r\nx-injected: 1"), BODY));
        assertThrows(IllegalArgumentException.class, () -> client.post(URI.create("http://127.0.0.1:1/"),
                Map.of("bad name", "v"), BODY));
        assertThrows(IllegalArgumentException.class, () -> client.post(URI.create("ftp://127.0.0.1:1/"), Map.of(),
                BODY));
    }

    @Test
    void connectionRefused_isAConnectException() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThrows(java.net.ConnectException.class, () -> client.post(URI.create("http://127.0.0.1:" + port + "/"),
                Map.of(), BODY).execute(Duration.ofSeconds(2)));
    }

    @Test
    void tls_withHostnameVerification() throws Exception {
        SSLContext ctx = selfSigned();
        server = new RawServer(ctx.getServerSocketFactory(), (s, in, out) -> {
            while (server.read(in) != null) {
                write(out, ok("{\"tls\":true}"));
            }
        });
        try (Http1Client trusting = new Http1Client(SocketFactory.getDefault(), ctx.getSocketFactory(),
                Duration.ofSeconds(5), Duration.ofSeconds(30), 2)) {
            for (int i = 0; i < 2; i++) {
                try (Http1Response r = trusting.post(server.uri("https"), Map.of(), BODY).execute(Duration.ofSeconds(10))) {
                    assertEquals("{\"tls\":true}", new String(r.bytes(100), StandardCharsets.UTF_8));
                }
            }
            assertEquals(1, server.connections.get(), "the TLS connection is kept alive too");
            // the certificate names 127.0.0.1, not localhost: hostname verification refuses the other name
            URI byName = URI.create("https://localhost:" + server.socket.getLocalPort() + "/");
            assertThrows(SSLHandshakeException.class, () -> trusting.post(byName, Map.of(), BODY)
                    .execute(Duration.ofSeconds(10)));
        }
        // the JDK's default trust does not know the self-signed certificate
        assertThrows(SSLHandshakeException.class, () -> client.post(server.uri("https"), Map.of(), BODY)
                .execute(Duration.ofSeconds(10)));
    }

    /** A key store made by the JDK's keytool: a self-signed certificate for IP 127.0.0.1. */
    private SSLContext selfSigned() throws Exception {
        Path store = tmp.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "s", "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit")
                .redirectErrorStream(true).redirectOutput(new File(tmp.resolve("keytool.log").toString())).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, () -> read(tmp.resolve("keytool.log")));
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

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void bodyBytesArriveIntact_acrossManyChunks() throws Exception {
        byte[] big = new byte[200_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        start((s, in, out) -> {
            server.read(in);
            write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int off = 0; off < big.length; off += 7_777) {
                int n = Math.min(7_777, big.length - off);
                write(out, Integer.toHexString(n) + "\r\n");
                out.write(big, off, n);
                write(out, "\r\n");
            }
            write(out, "0\r\n\r\n");
        });

        try (Http1Response r = post(Duration.ofSeconds(10))) {
            assertArrayEquals(big, r.bytes(1_000_000));
        }
    }
}
