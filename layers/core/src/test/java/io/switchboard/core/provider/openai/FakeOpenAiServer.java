package io.switchboard.core.provider.openai;

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
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback stand-in for OpenAI's {@code POST /v1/chat/completions} and {@code POST /v1/embeddings}: it records every
 * request it receives (method, path, headers, body, the client's port) and answers as the test's {@link Behaviour}
 * says: a status, headers, a body (written at once with a content length, or in parts with chunked transfer as OpenAI
 * streams), after an optional delay. Anything else gets OpenAI's 404 error body.
 */
final class FakeOpenAiServer implements AutoCloseable {
    static final String PATH = "/v1/chat/completions";
    static final String EMBEDDINGS_PATH = "/v1/embeddings";

    /** One request as the server received it. Header names are lower case. */
    record Recorded(String method, String path, Map<String, List<String>> headers, byte[] body, int remotePort) {
        /** The first value of header {@code name}, or null. */
        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        /** The body as a JSON tree. */
        JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /**
     * One answer.
     *
     * @param status HTTP status
     * @param headers response headers
     * @param parts the body; one part is sent with a content length, several with chunked transfer, each flushed
     * @param delay time to wait before the status line is sent
     * @param partDelay time to wait between parts
     */
    record Reply(int status, Map<String, String> headers, List<byte[]> parts, Duration delay, Duration partDelay) {
        Reply {
            headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
            parts = List.copyOf(parts);
        }

        /** A JSON body with {@code content-type: application/json}, as OpenAI answers. */
        static Reply json(int status, String json) {
            Map<String, String> h = new LinkedHashMap<>();
            h.put("Content-Type", "application/json");
            h.put("openai-processing-ms", "42");
            h.put("openai-version", "2020-10-01");
            h.put("x-request-id", "req_7f3a9c2b1e0d4a5f8b6c");
            return new Reply(status, h, List.of(json.getBytes(StandardCharsets.UTF_8)), Duration.ZERO,
                    Duration.ZERO);
        }

        /** An event stream: {@code events} written one part each (chunked), as OpenAI streams. */
        static Reply sse(List<String> events) {
            Map<String, String> h = new LinkedHashMap<>();
            h.put("Content-Type", "text/event-stream; charset=utf-8");
            h.put("Cache-Control", "no-cache");
            h.put("openai-processing-ms", "17");
            List<byte[]> parts = new ArrayList<>();
            for (String e : events) {
                parts.add(e.getBytes(StandardCharsets.UTF_8));
            }
            return new Reply(200, h, parts, Duration.ZERO, Duration.ZERO);
        }

        /** An event stream of these {@code data:} payloads, each as {@code data: X\n\n}, ending with [DONE]. */
        static Reply sseData(List<String> payloads) {
            List<String> events = new ArrayList<>();
            for (String p : payloads) {
                events.add("data: " + p + "\n\n");
            }
            events.add("data: [DONE]\n\n");
            return sse(events);
        }

        /** A body written verbatim in one part with {@code contentType}. */
        static Reply raw(int status, String contentType, String body) {
            return new Reply(status, Map.of("Content-Type", contentType),
                    List.of(body.getBytes(StandardCharsets.UTF_8)), Duration.ZERO, Duration.ZERO);
        }

        /** OpenAI's error body for {@code status}. */
        static Reply error(int status, String message, String type, String param, String code) {
            return json(status, errorJson(message, type, param, code));
        }

        /** Whether the body goes out with chunked transfer: event streams and bodies of several parts. */
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
    interface Behaviour {
        Reply reply(Recorded request) throws Exception;
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private volatile Behaviour behaviour = r -> Reply.json(200, completion("Hello!"));

    private FakeOpenAiServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** A server on an ephemeral loopback port, answering {@link #completion} until told otherwise. */
    static FakeOpenAiServer start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger n = new AtomicInteger();
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, "fake-openai-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ExecutorService executor = Executors.newCachedThreadPool(threads);
        FakeOpenAiServer fake = new FakeOpenAiServer(server, executor);
        server.setExecutor(executor);
        server.createContext("/", fake::handle);
        server.start();
        return fake;
    }

    /** Answers every following request with {@code b}. */
    FakeOpenAiServer respond(Behaviour b) {
        this.behaviour = b;
        return this;
    }

    /** Answers every following request with {@code reply}. */
    FakeOpenAiServer respond(Reply reply) {
        return respond(r -> reply);
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:PORT/v1}, the provider's base URL. */
    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port() + "/v1");
    }

    /** Every request received so far, in order. */
    List<Recorded> requests() {
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

    /** Failures of the handler itself (not of clients going away), for tests to assert none happened. */
    List<Throwable> failures() {
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
                    body, ex.getRemoteAddress().getPort());
            requests.add(rec);
            Reply reply;
            if (!"POST".equals(rec.method()) || !(PATH.equals(rec.path()) || EMBEDDINGS_PATH.equals(rec.path()))) {
                reply = Reply.error(404, "Invalid URL (" + rec.method() + " " + rec.path() + ")",
                        "invalid_request_error", null, null);
            } else {
                try {
                    reply = behaviour.reply(rec);
                } catch (Exception | AssertionError e) {
                    failures.add(e);
                    reply = Reply.error(500, "fake server behaviour failed", "server_error", null, null);
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
                ex.sendResponseHeaders(reply.status(), 0); // chunked
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
            Thread.currentThread().interrupt(); // the server is closing
        } catch (IOException e) {
            // the client went away (a timeout or a cancelled call): nothing to answer
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

    // ---- OpenAI wire format ----

    static final String MODEL = "gpt-4o-mini-2024-07-18";
    static final String COMPLETION_ID = "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG";

    /** A realistic {@code chat.completion} with {@code content}. */
    static String completion(String content) {
        return """
                {
                  "id": "%s",
                  "object": "chat.completion",
                  "created": 1741570283,
                  "model": "%s",
                  "choices": [
                    {
                      "index": 0,
                      "message": {
                        "role": "assistant",
                        "content": %s,
                        "refusal": null,
                        "annotations": []
                      },
                      "logprobs": null,
                      "finish_reason": "stop"
                    }
                  ],
                  "usage": {
                    "prompt_tokens": 19,
                    "completion_tokens": 10,
                    "total_tokens": 29,
                    "prompt_tokens_details": {
                      "cached_tokens": 0,
                      "audio_tokens": 0
                    },
                    "completion_tokens_details": {
                      "reasoning_tokens": 0,
                      "audio_tokens": 0,
                      "accepted_prediction_tokens": 0,
                      "rejected_prediction_tokens": 0
                    }
                  },
                  "service_tier": "default",
                  "system_fingerprint": "fp_06737a9306"
                }
                """.formatted(COMPLETION_ID, MODEL, Json.MAPPER.getNodeFactory().textNode(content).toString());
    }

    /** A {@code chat.completion.chunk} with a delta (role and/or content) and a finish reason, as OpenAI sends. */
    static String chunk(String role, String content, String finishReason) {
        StringBuilder delta = new StringBuilder("{");
        if (role != null) {
            delta.append("\"role\":\"").append(role).append("\",");
        }
        if (content != null) {
            delta.append("\"content\":").append(Json.MAPPER.getNodeFactory().textNode(content)).append(',');
        }
        if (role != null) {
            delta.append("\"refusal\":null,");
        }
        if (delta.charAt(delta.length() - 1) == ',') {
            delta.setLength(delta.length() - 1);
        }
        delta.append('}');
        return "{\"id\":\"" + COMPLETION_ID + "\",\"object\":\"chat.completion.chunk\",\"created\":1741570283,"
                + "\"model\":\"" + MODEL + "\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_06737a9306\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":null,\"finish_reason\":"
                + (finishReason == null ? "null" : "\"" + finishReason + "\"") + "}],\"usage\":null}";
    }

    /** The final usage chunk of {@code stream_options.include_usage}: no choices. */
    static String usageChunk(int prompt, int completion) {
        return "{\"id\":\"" + COMPLETION_ID + "\",\"object\":\"chat.completion.chunk\",\"created\":1741570283,"
                + "\"model\":\"" + MODEL + "\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_06737a9306\","
                + "\"choices\":[],\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion
                + ",\"total_tokens\":" + (prompt + completion) + ",\"prompt_tokens_details\":{\"cached_tokens\":0,"
                + "\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
                + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}";
    }

    /** OpenAI's error object. */
    static String errorJson(String message, String type, String param, String code) {
        var f = Json.MAPPER.getNodeFactory();
        var err = f.objectNode();
        err.put("message", message);
        err.put("type", type);
        if (param == null) {
            err.putNull("param");
        } else {
            err.put("param", param);
        }
        if (code == null) {
            err.putNull("code");
        } else {
            err.put("code", code);
        }
        return f.objectNode().set("error", err).toString();
    }
}
