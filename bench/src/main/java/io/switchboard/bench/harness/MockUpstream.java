package io.switchboard.bench.harness;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An upstream on loopback speaking OpenAI's wire format: {@code POST /v1/chat/completions} answers a
 * {@code chat.completion} (or, for {@code "stream":true}, a {@code text/event-stream} of
 * {@code chat.completion.chunk} events ending in {@code data: [DONE]}), {@code GET /v1/models} a model list.
 * Its latency, answer size and chunk timing are fixed at construction and can be changed between rounds.
 *
 * <pre>java -cp bench/target/switchboard-bench.jar io.switchboard.bench.harness.MockUpstream [--port N]
 *     [--latency-ms 20] [--response-bytes 1024] [--chunks 8] [--chunk-interval-ms 5]</pre>
 */
public final class MockUpstream implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicLong served = new AtomicLong();
    private volatile Options options;

    /**
     * How the mock answers.
     *
     * @param latencyMs time before the first byte of the answer
     * @param responseBytes size of the assistant's content (the JSON around it adds ~300 bytes)
     * @param chunks content chunks of a streamed answer
     * @param chunkIntervalMs pause between two chunks of a streamed answer
     */
    public record Options(int latencyMs, int responseBytes, int chunks, int chunkIntervalMs) {
        public Options {
            if (latencyMs < 0 || responseBytes < 1 || chunks < 1 || chunkIntervalMs < 0) {
                throw new IllegalArgumentException("invalid mock options");
            }
        }

        /** A fixed latency, 256 bytes of content, 8 chunks sent back to back. */
        public static Options latency(int ms) {
            return new Options(ms, 256, 8, 0);
        }
    }

    private MockUpstream(HttpServer server, ExecutorService executor, Options options) {
        this.server = server;
        this.executor = executor;
        this.options = options;
    }

    /** Starts on 127.0.0.1:{@code port} (0 picks a free one). */
    public static MockUpstream start(int port, Options options) throws IOException {
        // Each event is flushed as a small write; without TCP_NODELAY, Nagle's algorithm holds the next one back
        // until the previous is acknowledged (delayed ACKs: up to 40 ms), so chunks 5 ms apart would arrive in
        // bursts. Real providers' servers send them at once. Read once per JVM, before its first HttpServer.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 512);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        MockUpstream m = new MockUpstream(server, executor, options);
        server.setExecutor(executor);
        server.createContext("/", m::serve);
        server.start();
        return m;
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The base URL of its OpenAI-compatible API ({@code http://127.0.0.1:PORT/v1}). */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    /** Changes how later requests are answered. */
    public void options(Options o) {
        this.options = o;
    }

    /** Requests answered so far. */
    public long served() {
        return served.get();
    }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] request = ex.getRequestBody().readAllBytes();
            Options o = options;
            String path = ex.getRequestURI().getPath();
            if ("GET".equals(ex.getRequestMethod()) && path.endsWith("/models")) {
                send(ex, 200, "application/json",
                        "{\"object\":\"list\",\"data\":[{\"id\":\"model-x\",\"object\":\"model\",\"created\":1,"
                                + "\"owned_by\":\"bench\"}]}");
                return;
            }
            if (!"POST".equals(ex.getRequestMethod()) || !path.endsWith("/chat/completions")) {
                send(ex, 404, "application/json", "{\"error\":{\"message\":\"not found\",\"type\":"
                        + "\"invalid_request_error\",\"param\":null,\"code\":\"not_found\"}}");
                return;
            }
            sleep(o.latencyMs());
            served.incrementAndGet();
            if (isStream(request)) {
                stream(ex, o);
            } else {
                send(ex, 200, "application/json", completion(o.responseBytes()));
            }
        }
    }

    private static boolean isStream(byte[] request) {
        // good enough for the harness's own bodies: "stream":true with or without a space
        String s = new String(request, StandardCharsets.UTF_8);
        return s.contains("\"stream\":true") || s.contains("\"stream\": true");
    }

    private static void stream(HttpExchange ex, Options o) throws IOException {
        ex.getResponseHeaders().set("content-type", "text/event-stream");
        ex.getResponseHeaders().set("cache-control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        String content = content(o.responseBytes());
        int per = Math.max(1, content.length() / o.chunks());
        try (OutputStream out = ex.getResponseBody()) {
            out.write(event(chunk("{\"role\":\"assistant\",\"content\":\"\"}", null)));
            out.flush();
            for (int i = 0; i < o.chunks(); i++) {
                int from = i * per;
                int to = i == o.chunks() - 1 ? content.length() : Math.min(content.length(), from + per);
                if (i > 0) {
                    sleep(o.chunkIntervalMs());
                }
                out.write(event(chunk("{\"content\":\"" + content.substring(from, to) + "\"}", null)));
                out.flush();
            }
            out.write(event(chunk("{}", "\"stop\"")));
            out.write(event("{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                    + "\"model\":\"model-x\",\"choices\":[],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":"
                    + o.chunks() + ",\"total_tokens\":" + (20 + o.chunks()) + "}}"));
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static String chunk(String delta, String finish) {
        return "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"model-x\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finish + "}]}";
    }

    private static byte[] event(String json) {
        return ("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** A {@code chat.completion} whose content is {@code bytes} long. */
    static String completion(int bytes) {
        return "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"model-x\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + content(bytes)
                + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":"
                + Math.max(1, bytes / 4) + ",\"total_tokens\":" + (20 + Math.max(1, bytes / 4)) + "}}";
    }

    /** The assistant content of every answer of {@code bytes} (streamed or not), to check answers against. */
    static String content(int bytes) {
        String words = "The gateway answered quickly. ";
        StringBuilder sb = new StringBuilder(bytes);
        while (sb.length() < bytes) {
            sb.append(words, 0, Math.min(words.length(), bytes - sb.length()));
        }
        return sb.toString();
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("content-type", type);
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    private static void sleep(int ms) {
        if (ms <= 0) {
            return;
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** Runs a mock on its own until killed. */
    public static void main(String[] args) throws Exception {
        int port = 0;
        int latency = 0;
        int bytes = 256;
        int chunks = 8;
        int interval = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--latency-ms" -> latency = Integer.parseInt(args[++i]);
                case "--response-bytes" -> bytes = Integer.parseInt(args[++i]);
                case "--chunks" -> chunks = Integer.parseInt(args[++i]);
                case "--chunk-interval-ms" -> interval = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        MockUpstream m = start(port, new Options(latency, bytes, chunks, interval));
        Runtime.getRuntime().addShutdownHook(new Thread(m::close));
        System.out.println("mock upstream on " + m.baseUrl());
    }
}
