package io.switchboard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.switchboard.core.stream.SseDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The local run streams for real, over HTTP, through the streaming function's HTTP application: an upstream that
 * sends chunk k+1 only once the caller has received chunk k (latches, never sleeps) completes only if every chunk
 * reaches the caller as it is sent; and a caller that hangs up stops the upstream.
 */
class LocalStreamingTest {
    private static final int CHUNKS = 8;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private HttpServer upstream;
    private LocalGateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    private static String chunk(int k) {
        return "{\"id\":\"chatcmpl-lock\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok" + k + " \"},\"logprobs\":null,"
                + "\"finish_reason\":" + (k == CHUNKS - 1 ? "\"stop\"" : "null") + "}]}";
    }

    /** An OpenAI-compatible upstream whose handler {@code body} writes the event stream. */
    private int startUpstream(StreamBody body) throws IOException {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        upstream.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        upstream.createContext("/v1/chat/completions", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                ex.getResponseHeaders().set("content-type", "text/event-stream");
                ex.sendResponseHeaders(200, 0);
                body.write(ex.getResponseBody());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        upstream.start();
        return upstream.getAddress().getPort();
    }

    @FunctionalInterface
    private interface StreamBody {
        void write(OutputStream out) throws IOException, InterruptedException;
    }

    private LocalGateway startGateway(int upstreamPort) throws Exception {
        return startGateway(upstreamPort, Project.template());
    }

    private LocalGateway startGateway(int upstreamPort, java.nio.file.Path template) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("SWITCHBOARD_METRICS", "off");
        env.put("SWITCHBOARD_CACHE", "off");
        env.put("UPSTREAM_KEY", "sk-upstream-test");
        env.put("SWITCHBOARD_CONFIG", "{\"providers\":{\"up\":{\"type\":\"openai\",\"baseUrl\":\"http://127.0.0.1:"
                + upstreamPort + "/v1\",\"apiKey\":\"env:UPSTREAM_KEY\"}},\"models\":{\"lock\":\"up/m\"}}");
        gateway = LocalGateway.start(template, 0, env, Map.of());
        return gateway;
    }

    private HttpResponse<InputStream> stream(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .header("authorization", "Bearer " + LocalGateway.DEFAULT_DEV_KEY)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"lock\",\"stream\":true,\"messages\":"
                        + "[{\"role\":\"user\",\"content\":\"lockstep\"}]}"))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    }

    @Test
    void stream_eachChunkReachesTheCallerBeforeTheUpstreamSendsTheNext() throws Exception {
        CountDownLatch[] received = new CountDownLatch[CHUNKS];
        for (int i = 0; i < CHUNKS; i++) {
            received[i] = new CountDownLatch(1);
        }
        AtomicReference<String> upstreamFailure = new AtomicReference<>();
        int port = startUpstream(out -> {
            for (int k = 0; k < CHUNKS; k++) {
                if (k > 0 && !received[k - 1].await(10, TimeUnit.SECONDS)) {
                    upstreamFailure.set("the caller never received chunk " + (k - 1) + ": the gateway buffers");
                    return; // ends the stream without [DONE]
                }
                out.write(("data: " + chunk(k) + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            received[CHUNKS - 1].await(10, TimeUnit.SECONDS);
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        });
        startGateway(port);

        HttpResponse<InputStream> response = stream("/v1/chat/completions");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        List<String> events = new ArrayList<>();
        try (InputStream in = response.body()) {
            SseDecoder decoder = new SseDecoder(in);
            for (String data; (data = decoder.next()) != null; ) {
                events.add(data);
                if (events.size() <= CHUNKS) {
                    received[events.size() - 1].countDown();
                }
            }
        }
        assertEquals(null, upstreamFailure.get());
        assertEquals(CHUNKS + 1, events.size(), events.toString());
        for (int k = 0; k < CHUNKS; k++) {
            assertEquals(chunk(k), events.get(k), "chunk " + k + " passed through byte for byte");
        }
        assertEquals("[DONE]", events.get(CHUNKS));
    }

    @Test
    void stream_callerHangsUp_upstreamIsCancelled() throws Exception {
        CountDownLatch firstSent = new CountDownLatch(1);
        CountDownLatch upstreamSawClose = new CountDownLatch(1);
        int port = startUpstream(out -> {
            out.write(("data: " + chunk(0) + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            firstSent.countDown();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            try {
                while (System.nanoTime() < until) { // a long generation, one token every 20 ms
                    Thread.sleep(20);
                    out.write(("data: " + chunk(1) + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            } catch (IOException e) {
                upstreamSawClose.countDown(); // the gateway closed the connection: nobody pays for more tokens
            }
        });
        startGateway(port);

        HttpResponse<InputStream> response = stream("/v1/chat/completions");
        InputStream in = response.body();
        SseDecoder decoder = new SseDecoder(in);
        assertEquals(chunk(0), decoder.next());
        in.close(); // the caller goes away

        assertTrue(firstSent.await(5, TimeUnit.SECONDS));
        assertTrue(upstreamSawClose.await(8, TimeUnit.SECONDS),
                "the upstream connection is closed soon after the caller leaves");
    }

    @Test
    void stream_longerThanTheFunctionTimeout_endsWithAnErrorEventBeforeLambdaCutsIt(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path template = dir.resolve("template.yaml");
        java.nio.file.Files.writeString(template, java.nio.file.Files.readString(Project.template())
                .replace("Timeout: 900", "Timeout: 2"));
        int port = startUpstream(out -> {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            try {
                while (System.nanoTime() < until) { // never finishes within the function's 2 s
                    out.write(("data: " + chunk(1) + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    Thread.sleep(100);
                }
            } catch (IOException e) {
                // cancelled by the gateway
            }
        });
        startGateway(port, template);

        long start = System.nanoTime();
        HttpResponse<InputStream> response = stream("/v1/chat/completions");
        List<String> events = new ArrayList<>();
        try (InputStream in = response.body()) {
            SseDecoder decoder = new SseDecoder(in);
            for (String data; (data = decoder.next()) != null; ) {
                events.add(data);
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;

        assertEquals(200, response.statusCode());
        assertTrue(events.size() > 2, events.toString());
        String last = events.get(events.size() - 1);
        assertTrue(last.contains("\"code\":\"upstream_timeout\""), "an error event ends the stream: " + last);
        assertTrue(events.stream().noneMatch("[DONE]"::equals), "a stream cut short is never presented as complete");
        assertTrue(ms < 2000, "the gateway ended the stream itself, inside the function timeout: " + ms + " ms");
    }
}
