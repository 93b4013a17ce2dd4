package io.switchboard.core.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback stand-in for Anthropic's {@code POST /v1/messages}: it records every request it receives (method, path,
 * headers, body) and answers as the test's {@link Behaviour} says: a status, headers, a body (written at once with a
 * content length, or in parts with chunked transfer as Anthropic streams, each part flushed), after an optional
 * delay. Its helpers write the real wire format: messages, {@code event:}/{@code data:} stream events, and
 * {@code {"type":"error","error":{...}}} bodies. Anything that is not {@code POST /v1/messages} gets Anthropic's 404.
 */
public final class FakeAnthropicServer implements AutoCloseable {
    public static final String PATH = "/v1/messages";
    public static final String MODEL = "claude-sonnet-4-5-20250929";
    public static final String MESSAGE_ID = "msg_01XFDUDYJgAACzvnptvVoYEL";

    /** One request as the server received it. Header names are lower case. */
    public record Recorded(String method, String path, Map<String, List<String>> headers, byte[] body) {
        /** The first value of header {@code name}, or null. */
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        /** The body as a JSON tree. */
        public JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Whether the request asked for an event stream. */
        public boolean stream() {
            return json().path("stream").asBoolean(false);
        }
    }

    /**
     * One answer.
     *
     * @param status HTTP status
     * @param headers response headers
     * @param parts the body; one part is sent with a content length, several (or an event stream) chunked
     * @param delay time to wait before the status line is sent
     * @param partDelay time to wait between parts
     */
    public record Reply(int status, Map<String, String> headers, List<byte[]> parts, Duration delay, Duration partDelay) {
        public Reply {
            headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
            parts = List.copyOf(parts);
        }

        /** A JSON body, with the headers Anthropic sends. */
        public static Reply json(int status, String json) {
            Map<String, String> h = new LinkedHashMap<>();
            h.put("Content-Type", "application/json");
            h.put("request-id", "req_011CUb8kGqLZ3c9Ppw6X1HxQ");
            h.put("anthropic-organization-id", "7b2f3a10-0c1d-4e5f-9a8b-1c2d3e4f5a6b");
            return new Reply(status, h, List.of(json.getBytes(StandardCharsets.UTF_8)), Duration.ZERO,
                    Duration.ZERO);
        }

        /** An event stream: each of {@code events} (already framed) written as one chunked part. */
        public static Reply sse(List<String> events) {
            Map<String, String> h = new LinkedHashMap<>();
            h.put("Content-Type", "text/event-stream; charset=utf-8");
            h.put("Cache-Control", "no-cache");
            h.put("request-id", "req_011CUb8kGqLZ3c9Ppw6X1HxR");
            List<byte[]> parts = new ArrayList<>();
            for (String e : events) {
                parts.add(e.getBytes(StandardCharsets.UTF_8));
            }
            return new Reply(200, h, parts, Duration.ZERO, Duration.ZERO);
        }

        /** Anthropic's error body {@code {"type":"error","error":{"type","message"}}} with {@code status}. */
        public static Reply error(int status, String type, String message) {
            return json(status, errorJson(type, message));
        }

        /** A body written verbatim in one part with {@code contentType}. */
        static Reply raw(int status, String contentType, String body) {
            return new Reply(status, Map.of("Content-Type", contentType),
                    List.of(body.getBytes(StandardCharsets.UTF_8)), Duration.ZERO, Duration.ZERO);
        }

        boolean chunked() {
            boolean eventStream = headers.entrySet().stream().anyMatch(
                    h -> h.getKey().equalsIgnoreCase("content-type") && h.getValue().startsWith("text/event-stream"));
            return eventStream || parts.size() != 1;
        }

        Reply withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Reply(status, h, parts, delay, partDelay);
        }

        Reply withDelay(Duration newDelay) {
            return new Reply(status, headers, parts, newDelay, partDelay);
        }

        Reply withPartDelay(Duration newPartDelay) {
            return new Reply(status, headers, parts, delay, newPartDelay);
        }
    }

    /** Decides the answer to one request. */
    @FunctionalInterface
    public interface Behaviour {
        Reply reply(Recorded request) throws Exception;
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private volatile Behaviour behaviour = r -> Reply.json(200, message(List.of(text("Hello!")), "end_turn",
            usage(12, 0, 0, 6)));

    private FakeAnthropicServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** A server on an ephemeral loopback port. */
    public static FakeAnthropicServer start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-anthropic-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        FakeAnthropicServer fake = new FakeAnthropicServer(server, executor);
        server.setExecutor(executor);
        server.createContext("/", fake::handle);
        server.start();
        return fake;
    }

    /** Answers every following request as {@code b} decides. */
    public FakeAnthropicServer respond(Behaviour b) {
        this.behaviour = b;
        return this;
    }

    /** Answers every following request with {@code reply}. */
    public FakeAnthropicServer respond(Reply reply) {
        return respond(r -> reply);
    }

    /** {@code http://127.0.0.1:PORT/v1}, the provider's base URL. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    }

    /** Every request received so far, in order. */
    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    /** The only request received so far. */
    Recorded onlyRequest() {
        List<Recorded> r = requests();
        if (r.size() != 1) {
            throw new AssertionError("expected exactly one request, got " + r.size());
        }
        return r.get(0);
    }

    /** The last request received. */
    Recorded lastRequest() {
        List<Recorded> r = requests();
        if (r.isEmpty()) {
            throw new AssertionError("no request was received");
        }
        return r.get(r.size() - 1);
    }

    /** Failures of the handler itself (not of clients going away). */
    public List<Throwable> failures() {
        return List.copyOf(failures);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, List<String>> headers = new LinkedHashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            Recorded rec = new Recorded(ex.getRequestMethod(), ex.getRequestURI().getPath(), Map.copyOf(headers),
                    body);
            requests.add(rec);
            Reply reply;
            if (!"POST".equals(rec.method()) || !PATH.equals(rec.path())) {
                reply = Reply.error(404, "not_found_error", "Not Found");
            } else {
                try {
                    reply = behaviour.reply(rec);
                } catch (Exception | AssertionError e) {
                    failures.add(e);
                    reply = Reply.error(500, "api_error", "fake server behaviour failed");
                }
            }
            if (!reply.delay().isZero()) {
                Thread.sleep(reply.delay().toMillis());
            }
            reply.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            if (!reply.chunked()) {
                byte[] b = reply.parts().get(0);
                ex.sendResponseHeaders(reply.status(), b.length == 0 ? -1 : b.length);
                if (b.length > 0) {
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(b);
                    }
                }
            } else {
                ex.sendResponseHeaders(reply.status(), 0);
                try (OutputStream out = ex.getResponseBody()) {
                    boolean first = true;
                    for (byte[] part : reply.parts()) {
                        if (!first && !reply.partDelay().isZero()) {
                            Thread.sleep(reply.partDelay().toMillis());
                        }
                        first = false;
                        out.write(part);
                        out.flush();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client went away (a timeout or a cancelled call)
        }
    }

    /** Stops listening, drops open connections and interrupts handlers still sleeping. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- Anthropic's wire format ----

    static String quote(String s) {
        return Json.MAPPER.getNodeFactory().textNode(s).toString();
    }

    /** A {@code text} content block. */
    public static String text(String text) {
        return "{\"type\":\"text\",\"text\":" + quote(text) + "}";
    }

    /** A {@code tool_use} content block. */
    public static String toolUse(String id, String name, String inputJson) {
        return "{\"type\":\"tool_use\",\"id\":" + quote(id) + ",\"name\":" + quote(name) + ",\"input\":" + inputJson
                + "}";
    }

    /** A {@code usage} object. */
    public static String usage(int input, int cacheCreation, int cacheRead, int output) {
        return "{\"input_tokens\":" + input + ",\"cache_creation_input_tokens\":" + cacheCreation
                + ",\"cache_read_input_tokens\":" + cacheRead + ",\"cache_creation\":{\"ephemeral_5m_input_tokens\":"
                + cacheCreation + ",\"ephemeral_1h_input_tokens\":0},\"output_tokens\":" + output
                + ",\"service_tier\":\"standard\"}";
    }

    /** A whole {@code message} with these content blocks. */
    public static String message(List<String> blocks, String stopReason, String usage) {
        return "{\"id\":\"" + MESSAGE_ID + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + MODEL
                + "\",\"content\":[" + String.join(",", blocks) + "],\"stop_reason\":"
                + (stopReason == null ? "null" : quote(stopReason)) + ",\"stop_sequence\":null,\"usage\":" + usage
                + "}";
    }

    /** Anthropic's error object. */
    static String errorJson(String type, String message) {
        return "{\"type\":\"error\",\"error\":{\"type\":" + quote(type) + ",\"message\":" + quote(message)
                + "},\"request_id\":\"req_011CUb8kGqLZ3c9Ppw6X1HxS\"}";
    }

    /** One stream event, framed as Anthropic frames it. */
    static String event(String name, String data) {
        return "event: " + name + "\ndata: " + data + "\n\n";
    }

    static String messageStart(int inputTokens, int cacheCreation, int cacheRead) {
        return event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"" + MESSAGE_ID
                + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + MODEL + "\",\"content\":[],"
                + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":"
                + usage(inputTokens, cacheCreation, cacheRead, 1) + "}}");
    }

    static String textStart(int index) {
        return event("content_block_start", "{\"type\":\"content_block_start\",\"index\":" + index
                + ",\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
    }

    static String textDelta(int index, String text) {
        return event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":" + index
                + ",\"delta\":{\"type\":\"text_delta\",\"text\":" + quote(text) + "}}");
    }

    static String toolStart(int index, String id, String name) {
        return event("content_block_start", "{\"type\":\"content_block_start\",\"index\":" + index
                + ",\"content_block\":{\"type\":\"tool_use\",\"id\":" + quote(id) + ",\"name\":" + quote(name)
                + ",\"input\":{}}}");
    }

    static String jsonDelta(int index, String partialJson) {
        return event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":" + index
                + ",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":" + quote(partialJson) + "}}");
    }

    static String blockStop(int index) {
        return event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" + index + "}");
    }

    static String ping() {
        return event("ping", "{\"type\": \"ping\"}");
    }

    static String messageDelta(String stopReason, int outputTokens) {
        return event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
                + (stopReason == null ? "null" : quote(stopReason)) + ",\"stop_sequence\":null},\"usage\":"
                + "{\"output_tokens\":" + outputTokens + "}}");
    }

    static String messageStop() {
        return event("message_stop", "{\"type\":\"message_stop\"}");
    }

    static String errorEvent(String type, String message) {
        return event("error", errorJson(type, message).replace(",\"request_id\":\"req_011CUb8kGqLZ3c9Ppw6X1HxS\"", ""));
    }

    /** A whole text answer streamed: {@code pieces} as text deltas, a ping after the block starts. */
    public static List<String> textStream(List<String> pieces, String stopReason, int input, int output) {
        List<String> events = new ArrayList<>();
        events.add(messageStart(input, 0, 0));
        events.add(textStart(0));
        events.add(ping());
        for (String p : pieces) {
            events.add(textDelta(0, p));
        }
        events.add(blockStop(0));
        events.add(messageDelta(stopReason, output));
        events.add(messageStop());
        return events;
    }

    /** A tool call streamed: optional leading text, then the call's input in {@code fragments}. */
    public static List<String> toolStream(String leadingText, String id, String name, List<String> fragments, int input,
            int output) {
        List<String> events = new ArrayList<>();
        events.add(messageStart(input, 0, 0));
        int index = 0;
        if (leadingText != null) {
            events.add(textStart(0));
            events.add(textDelta(0, leadingText));
            events.add(blockStop(0));
            index = 1;
        }
        events.add(toolStart(index, id, name));
        events.add(jsonDelta(index, ""));
        for (String f : fragments) {
            events.add(jsonDelta(index, f));
        }
        events.add(blockStop(index));
        events.add(messageDelta("tool_use", output));
        events.add(messageStop());
        return events;
    }
}
