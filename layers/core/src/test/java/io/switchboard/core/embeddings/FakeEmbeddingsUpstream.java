package io.switchboard.core.embeddings;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * OpenAI's {@code POST /v1/embeddings} on loopback. Each input item gets the vector {@code [call, item length, index,
 * 0.25]}, where {@code call} numbers the calls served, so a test can tell which call a cached answer came from; the
 * vectors are written as numbers or, when asked, as base64 of little-endian float32, as OpenAI does. Records every
 * request; can be told to fail (status, body, headers) or to wait first.
 */
final class FakeEmbeddingsUpstream implements AutoCloseable {
    /** One request as received. */
    record Recorded(Map<String, List<String>> headers, byte[] body) {
        JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        String header(String name) {
            for (Map.Entry<String, List<String>> h : headers.entrySet()) {
                if (h.getKey().equalsIgnoreCase(name)) {
                    return h.getValue().get(0);
                }
            }
            return null;
        }
    }

    final AtomicInteger calls = new AtomicInteger();
    final List<Recorded> requests = new CopyOnWriteArrayList<>();
    volatile int failWith;
    /** When above 0, only the first {@code failFirst} calls fail with {@link #failWith}. */
    volatile int failFirst;
    volatile String failBody = "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"param\":null,"
            + "\"code\":null}}";
    volatile Map<String, String> failHeaders = Map.of();
    volatile int delayMillis;
    volatile String rawAnswer;
    private final HttpServer server;

    FakeEmbeddingsUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/embeddings", this::handle);
        server.start();
    }

    /** {@code http://127.0.0.1:port/v1}. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    void reset() {
        calls.set(0);
        requests.clear();
        failWith = 0;
        failFirst = 0;
        failHeaders = Map.of();
        delayMillis = 0;
        rawAnswer = null;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] in = ex.getRequestBody().readAllBytes();
            Recorded rec = new Recorded(Map.copyOf(ex.getRequestHeaders()), in);
            requests.add(rec);
            int n = calls.incrementAndGet();
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            ex.getResponseHeaders().set("content-type", "application/json");
            byte[] out;
            int status = 200;
            if (failWith > 0 && (failFirst == 0 || n <= failFirst)) {
                status = failWith;
                failHeaders.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
                out = failBody.getBytes(StandardCharsets.UTF_8);
            } else if (rawAnswer != null) {
                out = rawAnswer.getBytes(StandardCharsets.UTF_8);
            } else {
                out = answer(rec.json(), n).getBytes(StandardCharsets.UTF_8);
            }
            ex.sendResponseHeaders(status, out.length);
            ex.getResponseBody().write(out);
        }
    }

    /** The vector the fake gives item {@code index} of length {@code length} on call {@code call}. */
    static float[] vector(int call, int length, int index) {
        return new float[] {call, length, index, 0.25f};
    }

    private static String answer(JsonNode req, int call) {
        JsonNode input = req.path("input");
        boolean base64 = "base64".equals(req.path("encoding_format").asText());
        StringBuilder sb = new StringBuilder("{\"object\":\"list\",\"data\":[");
        List<JsonNode> items = new java.util.ArrayList<>();
        if (input.isTextual() || input.get(0).isNumber()) {
            items.add(input); // one string, or one token array
        } else {
            input.forEach(items::add);
        }
        int tokens = 0;
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            int length = item.isTextual() ? item.textValue().length() : item.size();
            tokens += length;
            float[] v = vector(call, length, i);
            sb.append(i > 0 ? "," : "").append("{\"object\":\"embedding\",\"index\":").append(i)
                    .append(",\"embedding\":");
            if (base64) {
                ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float f : v) {
                    b.putFloat(f);
                }
                sb.append('"').append(Base64.getEncoder().encodeToString(b.array())).append('"');
            } else {
                sb.append('[');
                for (int k = 0; k < v.length; k++) {
                    sb.append(k > 0 ? "," : "").append(v[k]);
                }
                sb.append(']');
            }
            sb.append('}');
        }
        return sb.append("],\"model\":\"").append(req.path("model").asText()).append("\",\"usage\":{\"prompt_tokens\":")
                .append(tokens).append(",\"total_tokens\":").append(tokens).append("}}").toString();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
