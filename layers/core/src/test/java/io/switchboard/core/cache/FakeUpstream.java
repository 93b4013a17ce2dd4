package io.switchboard.core.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible upstream on loopback whose every answer carries a serial number ({@code answer-N}), so a test
 * can tell which upstream call a cached response came from. Streams when asked.
 */
public final class FakeUpstream implements AutoCloseable {
    /** Calls served so far. */
    public final AtomicInteger calls = new AtomicInteger();
    volatile int delayMillis;
    volatile int failWith;
    volatile int padBytes;
    private final HttpServer server;

    /** Starts it on a free loopback port. */
    public FakeUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/chat/completions", ex -> {
            JsonNode req = Json.MAPPER.readTree(ex.getRequestBody().readAllBytes());
            int n = calls.incrementAndGet();
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body;
            if (failWith > 0) {
                body = "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}".getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("content-type", "application/json");
                ex.sendResponseHeaders(failWith, body.length);
            } else if (req.path("stream").asBoolean(false)) {
                String id = "chatcmpl-" + n;
                StringBuilder sb = new StringBuilder();
                sb.append(chunk(id, "{\"role\":\"assistant\",\"content\":\"\"}", null));
                sb.append(chunk(id, "{\"content\":\"answer-" + n + " \"}", null));
                sb.append(chunk(id, "{\"content\":\"streamed\"}", null));
                sb.append(chunk(id, "{}", "\"stop\""));
                sb.append("data: {\"id\":\"").append(id).append("\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                        + "\"model\":\"model-x\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,"
                        + "\"total_tokens\":7}}\n\n");
                sb.append("data: [DONE]\n\n");
                body = sb.toString().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("content-type", "text/event-stream");
                ex.sendResponseHeaders(200, body.length);
            } else {
                String pad = "x".repeat(padBytes);
                body = ("{\"id\":\"chatcmpl-" + n + "\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"model-x\","
                        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"answer-" + n
                        + pad + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,"
                        + "\"total_tokens\":7}}").getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("content-type", "application/json");
                ex.sendResponseHeaders(200, body.length);
            }
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    private static String chunk(String id, String delta, String finish) {
        return "data: {\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"model-x\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finish + "}]}\n\n";
    }

    /** Its base URL ({@code http://127.0.0.1:port/v1}). */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
