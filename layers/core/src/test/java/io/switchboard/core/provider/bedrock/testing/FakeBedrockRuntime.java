package io.switchboard.core.provider.bedrock.testing;

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
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import software.amazon.eventstream.HeaderValue;
import software.amazon.eventstream.Message;

/**
 * A loopback stand-in for Amazon Bedrock Runtime's {@code POST /model/{modelId}/converse} (REST JSON) and
 * {@code POST /model/{modelId}/invoke} (InvokeModel: the model's own JSON, as embedding models answer) and
 * {@code POST /model/{modelId}/converse-stream} ({@code application/vnd.amazon.eventstream}, each frame encoded by
 * the SDK's own {@link Message} encoder). It records every request (operation, decoded model id, headers, body) and
 * answers as the test's {@link Behaviour} says: JSON, an AWS error ({@code x-amzn-ErrorType}), a stream of event
 * and exception frames (optionally paced, optionally cut off without the end of the chunked body), or nothing until
 * closed.
 */
public final class FakeBedrockRuntime implements AutoCloseable {
    /** The request id every answer carries. */
    public static final String REQUEST_ID = "5d3b1c2e-8f4a-4e6b-9d0c-1a2b3c4d5e6f";

    /** One request as received. Header names are lower case. */
    public record Recorded(String method, String operation, String modelId, Map<String, List<String>> headers,
            byte[] body) {
        /** The first value of header {@code name}, or null. */
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        /** The body as JSON. */
        public JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** One event-stream frame, sent after {@code delay}. */
    public record Frame(byte[] bytes, Duration delay) {
        /** This frame after {@code d}. */
        public Frame after(Duration d) {
            return new Frame(bytes, d);
        }
    }

    /** How a stream's body ends. */
    public enum Ending {
        /** The chunked body ends properly. */
        CLEAN,
        /** The connection is dropped without the end of the chunked body. */
        CUT
    }

    /**
     * One answer: a status and a body, or a stream of frames.
     *
     * @param status HTTP status
     * @param headers response headers
     * @param body a whole body (ignored when {@code frames} is not null)
     * @param frames event-stream frames, or null
     * @param ending how a stream ends
     * @param delay wait before the status line
     * @param silent never answer (until the server closes)
     */
    public record Reply(int status, Map<String, String> headers, byte[] body, List<Frame> frames, Ending ending,
            Duration delay, boolean silent) {
        public Reply {
            headers = Map.copyOf(headers);
            frames = frames == null ? null : List.copyOf(frames);
        }

        /** A JSON body. */
        public static Reply json(int status, String json) {
            return new Reply(status, Map.of("Content-Type", "application/json", "x-amzn-RequestId", REQUEST_ID),
                    json.getBytes(StandardCharsets.UTF_8), null, Ending.CLEAN, Duration.ZERO, false);
        }

        /** An AWS error of {@code type} (e.g. {@code ThrottlingException}) as Bedrock sends it. */
        public static Reply error(int status, String type, String message) {
            return new Reply(status, Map.of("Content-Type", "application/json", "x-amzn-RequestId", REQUEST_ID,
                    "x-amzn-ErrorType", type + ":http://internal.amazon.com/coral/com.amazon.bedrock/"),
                    ("{\"message\":" + quote(message) + "}").getBytes(StandardCharsets.UTF_8), null, Ending.CLEAN,
                    Duration.ZERO, false);
        }

        /** An event stream of {@code frames}. */
        public static Reply stream(List<Frame> frames) {
            return new Reply(200, Map.of("Content-Type", "application/vnd.amazon.eventstream",
                    "x-amzn-RequestId", REQUEST_ID), new byte[0], frames, Ending.CLEAN, Duration.ZERO, false);
        }

        /** No answer at all until the server closes. */
        public static Reply hang() {
            return new Reply(200, Map.of(), new byte[0], null, Ending.CLEAN, Duration.ZERO, true);
        }

        /** This stream, its connection dropped after the last frame. */
        public Reply cut() {
            return new Reply(status, headers, body, frames, Ending.CUT, delay, silent);
        }

        /** This answer after {@code d}. */
        public Reply withDelay(Duration d) {
            return new Reply(status, headers, body, frames, ending, d, silent);
        }

        /** This answer with another header. */
        public Reply withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Reply(status, h, body, frames, ending, delay, silent);
        }
    }

    /** Decides the answer to one request. */
    @FunctionalInterface
    public interface Behaviour {
        /** The answer to {@code request}. */
        Reply reply(Recorded request) throws Exception;
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile Behaviour behaviour = r -> Reply.json(200, converseText("Hello!", "end_turn", 5, 2));

    private FakeBedrockRuntime(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** A server on an ephemeral loopback port. */
    public static FakeBedrockRuntime start() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        FakeBedrockRuntime fake = new FakeBedrockRuntime(s, executor);
        s.setExecutor(executor);
        s.createContext("/", fake::handle);
        s.start();
        return fake;
    }

    /** The endpoint override: {@code http://127.0.0.1:PORT}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Answers every following request as {@code b} says. */
    public FakeBedrockRuntime respond(Behaviour b) {
        this.behaviour = b;
        return this;
    }

    /** Answers every following request with {@code reply}. */
    public FakeBedrockRuntime respond(Reply reply) {
        return respond(r -> reply);
    }

    /** Every request so far. */
    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    /** The only request so far. */
    public Recorded onlyRequest() {
        List<Recorded> r = requests();
        if (r.size() != 1) {
            throw new AssertionError("expected exactly one request, got " + r.size());
        }
        return r.get(0);
    }

    /** Failures of the fake itself. */
    public List<Throwable> failures() {
        return List.copyOf(failures);
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
        String raw = ex.getRequestURI().getRawPath();
        String operation = null;
        String modelId = null;
        if (raw.startsWith("/model/")) {
            int slash = raw.lastIndexOf('/');
            operation = raw.substring(slash + 1);
            modelId = URLDecoder.decode(raw.substring("/model/".length(), slash), StandardCharsets.UTF_8);
        }
        Recorded rec = new Recorded(ex.getRequestMethod(), operation, modelId, Map.copyOf(headers), body);
        requests.add(rec);
        Reply reply;
        if (!"POST".equals(rec.method()) || !("converse".equals(operation) || "converse-stream".equals(operation)
                || "invoke".equals(operation))) {
            reply = Reply.error(404, "UnknownOperationException", "no such operation");
        } else {
            try {
                reply = behaviour.reply(rec);
            } catch (Exception | AssertionError e) {
                failures.add(e);
                reply = Reply.error(500, "InternalServerException", "fake behaviour failed");
            }
        }
        try {
            send(ex, reply);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ex.close();
        } catch (IOException e) {
            ex.close(); // the client went away
        }
    }

    private void send(HttpExchange ex, Reply reply) throws IOException, InterruptedException {
        if (reply.silent()) {
            closing.await(60, TimeUnit.SECONDS);
            ex.close();
            return;
        }
        if (!reply.delay().isZero() && closing.await(reply.delay().toMillis(), TimeUnit.MILLISECONDS)) {
            ex.close();
            return;
        }
        reply.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        if (reply.frames() == null) {
            ex.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(reply.body());
            }
            ex.close();
            return;
        }
        ex.sendResponseHeaders(reply.status(), 0); // chunked, as Bedrock streams
        OutputStream out = ex.getResponseBody();
        for (Frame f : reply.frames()) {
            if (!f.delay().isZero() && closing.await(f.delay().toMillis(), TimeUnit.MILLISECONDS)) {
                break;
            }
            out.write(f.bytes());
            out.flush();
        }
        if (reply.ending() == Ending.CUT) {
            // an exception out of the handler makes the server drop the connection, leaving the chunked body open
            throw new CutConnection();
        }
        out.close();
        ex.close();
    }

    /** Thrown to drop a connection mid-body. */
    private static final class CutConnection extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CutConnection() {
            super("cut", null, false, false);
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    // ---------------------------------------------------------------- wire helpers

    /** An event frame: {@code :message-type event}, {@code :event-type type}, JSON payload. */
    public static Frame event(String type, String json) {
        Map<String, HeaderValue> h = new LinkedHashMap<>();
        h.put(":event-type", HeaderValue.fromString(type));
        h.put(":content-type", HeaderValue.fromString("application/json"));
        h.put(":message-type", HeaderValue.fromString("event"));
        return new Frame(encode(h, json), Duration.ZERO);
    }

    /** An exception frame: {@code :message-type exception}, {@code :exception-type type}, JSON payload. */
    public static Frame exception(String type, String message) {
        Map<String, HeaderValue> h = new LinkedHashMap<>();
        h.put(":exception-type", HeaderValue.fromString(type));
        h.put(":content-type", HeaderValue.fromString("application/json"));
        h.put(":message-type", HeaderValue.fromString("exception"));
        return new Frame(encode(h, "{\"message\":" + quote(message) + "}"), Duration.ZERO);
    }

    private static byte[] encode(Map<String, HeaderValue> headers, String json) {
        var buf = new Message(headers, json.getBytes(StandardCharsets.UTF_8)).toByteBuffer();
        byte[] out = new byte[buf.remaining()];
        buf.get(out);
        return out;
    }

    /** {@code messageStart} (with Bedrock's padding field {@code p}). */
    public static Frame messageStart() {
        return event("messageStart", "{\"p\":\"abcdefgh\",\"role\":\"assistant\"}");
    }

    /** A text delta of content block {@code index}. */
    public static Frame text(int index, String text) {
        return event("contentBlockDelta", "{\"contentBlockIndex\":" + index + ",\"delta\":{\"text\":" + quote(text)
                + "},\"p\":\"abcd\"}");
    }

    /** The start of a tool-use block. */
    public static Frame toolStart(int index, String id, String name) {
        return event("contentBlockStart", "{\"contentBlockIndex\":" + index + ",\"start\":{\"toolUse\":{"
                + "\"toolUseId\":" + quote(id) + ",\"name\":" + quote(name) + "}},\"p\":\"ab\"}");
    }

    /** A fragment of a tool-use block's input JSON. */
    public static Frame toolInput(int index, String fragment) {
        return event("contentBlockDelta", "{\"contentBlockIndex\":" + index + ",\"delta\":{\"toolUse\":{\"input\":"
                + quote(fragment) + "}},\"p\":\"abc\"}");
    }

    /** The end of content block {@code index}. */
    public static Frame blockStop(int index) {
        return event("contentBlockStop", "{\"contentBlockIndex\":" + index + ",\"p\":\"abcdef\"}");
    }

    /** {@code messageStop} with {@code stopReason}. */
    public static Frame messageStop(String stopReason) {
        return event("messageStop", "{\"p\":\"abcdefghij\",\"stopReason\":" + quote(stopReason) + "}");
    }

    /** {@code metadata} with usage (cache figures when not negative) and latency. */
    public static Frame metadata(int in, int out, int cacheRead, int cacheWrite) {
        return event("metadata", "{\"metrics\":{\"latencyMs\":321},\"p\":\"abc\",\"usage\":" + usage(in, out,
                cacheRead, cacheWrite) + "}");
    }

    /** A whole text answer as a stream: start, one delta per piece, stop, metadata. */
    public static List<Frame> textStream(String stopReason, String... pieces) {
        List<Frame> f = new ArrayList<>();
        f.add(messageStart());
        for (String p : pieces) {
            f.add(text(0, p));
        }
        f.add(blockStop(0));
        f.add(messageStop(stopReason));
        f.add(metadata(11, pieces.length, -1, -1));
        return f;
    }

    /** A Converse answer of one text block. */
    public static String converseText(String text, String stopReason, int in, int out) {
        return "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"text\":" + quote(text) + "}]}},"
                + "\"stopReason\":" + quote(stopReason) + ",\"usage\":" + usage(in, out, -1, -1)
                + ",\"metrics\":{\"latencyMs\":412}}";
    }

    /** Bedrock's {@code usage} object. */
    public static String usage(int in, int out, int cacheRead, int cacheWrite) {
        StringBuilder sb = new StringBuilder("{\"inputTokens\":").append(in).append(",\"outputTokens\":").append(out)
                .append(",\"totalTokens\":").append(in + out + Math.max(0, cacheRead) + Math.max(0, cacheWrite));
        if (cacheRead >= 0) {
            sb.append(",\"cacheReadInputTokens\":").append(cacheRead);
        }
        if (cacheWrite >= 0) {
            sb.append(",\"cacheWriteInputTokens\":").append(cacheWrite);
        }
        return sb.append('}').toString();
    }

    /** {@code s} as a JSON string. */
    public static String quote(String s) {
        return Json.MAPPER.getNodeFactory().textNode(s).toString();
    }
}
