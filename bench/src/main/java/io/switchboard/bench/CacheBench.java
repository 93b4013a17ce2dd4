package io.switchboard.bench;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.switchboard.completion.CompletionHandler;
import io.switchboard.core.auth.Authenticator;
import io.valkey.Jedis;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Cache paths, measured in one run against a {@code redis-server} it starts on loopback: handler time of an L1 hit
 * and of an L2 hit (an environment whose L1 keeps nothing), next to the raw Redis GET round trip of the same value;
 * then gzip (level 6) against raw DEFLATE level 1 on completion JSON of realistic sizes.
 *
 * <pre>java -cp bench/target/switchboard-bench.jar io.switchboard.bench.CacheBench [--requests 10000]</pre>
 */
public final class CacheBench {
    private CacheBench() {
    }

    public static void main(String[] args) throws Exception {
        int requests = args.length > 1 && args[0].equals("--requests") ? Integer.parseInt(args[1]) : 10_000;
        Percentiles[] p = measure(requests);
        System.out.println("Cache paths, " + requests + " requests each, interleaved, after " + requests
                + " warm-up; JDK " + Runtime.version());
        System.out.println(p[0].row("handler, L1 hit"));
        System.out.println(p[1].row("handler, L2 hit"));
        System.out.println(p[2].row("raw Redis GET round trip"));
        System.out.printf(Locale.ROOT, "L2 hit minus raw GET at p50: %.1f us%n", (p[1].p50() - p[2].p50()) / 1e3);
        codecs();
    }

    /**
     * Handler time of an L1 hit, of an L2 hit, and the raw Redis GET round trip of the same value, interleaved,
     * {@code requests} of each after as many warm-up requests, against a {@code redis-server} started (and stopped)
     * here on loopback.
     */
    public static Percentiles[] measure(int requests) throws Exception {
        int warmup = requests;
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process redis = new ProcessBuilder(find(), "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save",
                "", "--appendonly", "no").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectErrorStream(true).start();
        PrintStream console = System.out;
        try {
            waitFor(port);
            System.setOut(new PrintStream(OutputStreamNull.INSTANCE));
            CompletionHandler l1 = handler(port, "60");
            CompletionHandler l2only = handler(port, "0");
            APIGatewayV2HTTPEvent event = OverheadBench.event(
                    "{\"model\":\"fast\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":"
                            + "\"Summarise the benefits of an LLM gateway in two sentences.\"}]}", "sk-bench");
            APIGatewayV2HTTPResponse first = l1.handleRequest(event, null);
            String key = "sb:v1:e:bench:" + first.getHeaders().get("x-switchboard-cache-key");
            long[] hitL1 = new long[requests];
            long[] hitL2 = new long[requests];
            long[] rawGet = new long[requests];
            try (Jedis raw = new Jedis("127.0.0.1", port)) {
                byte[] k = key.getBytes(StandardCharsets.UTF_8);
                for (int i = 0; i < warmup + requests; i++) {
                    long t0 = System.nanoTime();
                    APIGatewayV2HTTPResponse a = l1.handleRequest(event, null);
                    long t1 = System.nanoTime();
                    APIGatewayV2HTTPResponse b = l2only.handleRequest(event, null);
                    long t2 = System.nanoTime();
                    raw.get(k);
                    long t3 = System.nanoTime();
                    expect(a, "HIT-L1");
                    expect(b, "HIT-L2");
                    if (i >= warmup) {
                        hitL1[i - warmup] = t1 - t0;
                        hitL2[i - warmup] = t2 - t1;
                        rawGet[i - warmup] = t3 - t2;
                    }
                }
            }
            return new Percentiles[] {Percentiles.of(hitL1), Percentiles.of(hitL2), Percentiles.of(rawGet)};
        } finally {
            System.setOut(console);
            redis.destroy();
            redis.waitFor();
        }
    }

    private static void codecs() throws IOException {
        String prose = Files.exists(Path.of("README.md")) ? Files.readString(Path.of("README.md"))
                : "The gateway routes each request to a provider and returns an answer. ".repeat(400);
        prose = prose.replace("\\", " ").replace("\"", "'").replace("\n", "\\n");
        System.out.println("Compression of completion JSON (prose from README.md), per value:");
        for (int size : new int[] {1_024, 4_096, 16_384, 65_536}) {
            StringBuilder text = new StringBuilder();
            while (text.length() < size) {
                text.append(prose, 0, Math.min(prose.length(), size - text.length()));
            }
            byte[] json = ("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o-mini\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + text
                    + "\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":"
                    + "20,\"completion_tokens\":300,\"total_tokens\":320}}").getBytes(StandardCharsets.UTF_8);
            int rounds = Math.max(200, 2_000_000 / json.length);
            long[] gz = time(json, rounds, true);
            long[] df = time(json, rounds, false);
            System.out.printf(Locale.ROOT, "  %6d B: gzip-6 ratio %.2f, %6.1f us | deflate-1 ratio %.2f, %6.1f us%n",
                    json.length, (double) json.length / gz[0], gz[1] / 1e3, (double) json.length / df[0], df[1] / 1e3);
        }
    }

    /** {compressed size, median nanos per compression}. */
    private static long[] time(byte[] json, int rounds, boolean gzip) throws IOException {
        long[] t = new long[rounds];
        int size = 0;
        for (int r = 0; r < rounds * 2; r++) {
            long t0 = System.nanoTime();
            if (gzip) {
                ByteArrayOutputStream out = new ByteArrayOutputStream(json.length / 2);
                try (GZIPOutputStream z = new GZIPOutputStream(out)) {
                    z.write(json);
                }
                size = out.size();
            } else {
                Deflater d = new Deflater(Deflater.BEST_SPEED, true);
                d.setInput(json);
                d.finish();
                byte[] buf = new byte[json.length + 64];
                size = d.deflate(buf);
                d.end();
            }
            if (r >= rounds) {
                t[r - rounds] = System.nanoTime() - t0;
            }
        }
        java.util.Arrays.sort(t);
        return new long[] {size, t[rounds / 2]};
    }

    private static CompletionHandler handler(int port, String l1TtlSeconds) {
        Map<String, String> env = new HashMap<>();
        env.put("SWITCHBOARD_API_KEYS", "bench:" + Authenticator.sha256Hex("sk-bench"));
        env.put("SWITCHBOARD_METRICS", "emf");
        env.put("SWITCHBOARD_CACHE_URL", "redis://127.0.0.1:" + port);
        env.put("SWITCHBOARD_CACHE_L1_TTL_SECONDS", l1TtlSeconds);
        env.put("AWS_LAMBDA_FUNCTION_NAME", "bench");
        return new CompletionHandler(env);
    }

    private static void expect(APIGatewayV2HTTPResponse r, String cache) {
        if (r.getStatusCode() != 200 || !cache.equals(r.getHeaders().get("x-switchboard-cache"))) {
            throw new IllegalStateException("expected " + cache + ", got " + r.getStatusCode() + " "
                    + r.getHeaders().get("x-switchboard-cache"));
        }
    }

    private static String find() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, "redis-server");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        throw new IllegalStateException("CacheBench needs redis-server on the PATH");
    }

    private static void waitFor(int port) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(10);
            }
        }
        throw new IllegalStateException("redis-server did not start");
    }

    private static final class OutputStreamNull extends java.io.OutputStream {
        static final OutputStreamNull INSTANCE = new OutputStreamNull();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
