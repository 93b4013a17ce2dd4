package io.switchboard.completion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.core.Gateway;
import io.switchboard.core.config.Settings;
import io.switchboard.core.http.GatewayRequest;
import io.switchboard.core.http.ResponseSink;
import io.switchboard.core.metrics.GatewayMetrics;
import io.switchboard.core.metrics.RequestOutcome;
import io.switchboard.shared.json.Json;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The streaming route end to end, with real parts only and loopback only: a caller speaking HTTP to
 * {@link CompletionServer} (or a recording {@link ResponseSink} handed to {@link Gateway#serve}), the real
 * {@link Gateway} with its OpenAI provider, and an upstream of the test's own ({@link Upstream}, a raw socket server
 * speaking OpenAI's SSE wire format) that the test scripts event by event. Waits are latches with timeouts (a
 * buffering gateway fails a test instead of hanging it), and every test also has a hard timeout.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StreamingTest {
    private static final String UP_KEY = "sk-upstream-test-5e1f";
    private static final String PROMPT = "secret-prompt";
    private static final long WAIT_SECONDS = 10;

    private Upstream upstream;
    private RecordingMetrics metrics;
    private HttpClient client;
    private final List<Gateway> gateways = new ArrayList<>();
    private final List<HttpServer> servers = new ArrayList<>();
    private Redis redis;

    @BeforeEach
    void start() throws IOException {
        upstream = Upstream.start();
        metrics = new RecordingMetrics();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
        gateways.forEach(Gateway::close);
        client.close();
        upstream.close();
        if (redis != null) {
            redis.close();
        }
    }

    // ---------------------------------------------------------------- 1. lockstep

    /** Payloads with odd spacing and non-ASCII text: only a verbatim relay keeps them byte-identical. */
    private static List<String> lockstepPayloads() {
        List<String> p = new ArrayList<>();
        p.add("{\"id\": \"chatcmpl-lock\",  \"object\":\"chat.completion.chunk\",\"created\":1741570283,"
                + "\"model\":\"model-x\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                + "\"logprobs\":null,\"finish_reason\":null}]}");
        String[] words = {"Grüße", " aus", " 東京", " ✓", " 😀"};
        for (String w : words) {
            p.add("{\"id\": \"chatcmpl-lock\",  \"object\":\"chat.completion.chunk\",\"created\":1741570283,"
                    + "\"model\":\"model-x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":" + quote(w) + "},"
                    + "\"logprobs\":null,\"finish_reason\":null}]}");
        }
        p.add("{\"id\": \"chatcmpl-lock\",  \"object\":\"chat.completion.chunk\",\"created\":1741570283,"
                + "\"model\":\"model-x\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,"
                + "\"finish_reason\":\"stop\"}]}");
        return p;
    }

    /** Sends chunk k+1 only once the caller has received chunk k, and [DONE] once it has the last one. */
    private static Upstream.Script lockstep(List<String> payloads, CountDownLatch[] received) {
        return c -> {
            c.sse();
            for (int k = 0; k < payloads.size(); k++) {
                if (k > 0 && !received[k - 1].await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                    c.abort(); // the caller never saw chunk k-1: the gateway holds it back
                    throw new AssertionError("caller did not receive chunk " + (k - 1) + " before chunk " + k);
                }
                c.data(payloads.get(k));
            }
            if (!received[payloads.size() - 1].await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                c.abort();
                throw new AssertionError("caller did not receive the last chunk");
            }
            c.done();
        };
    }

    private static CountDownLatch[] latches(int n) {
        CountDownLatch[] l = new CountDownLatch[n];
        for (int i = 0; i < n; i++) {
            l[i] = new CountDownLatch(1);
        }
        return l;
    }

    @Test
    void lockstep_overHttp_eachChunkReachesCallerBeforeUpstreamSendsNext() throws Exception {
        List<String> payloads = lockstepPayloads();
        CountDownLatch[] received = latches(payloads.size());
        upstream.script(lockstep(payloads, received));
        URI url = serve(gateway());

        HttpResponse<InputStream> r = post(url, streamBody(""));
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        assertEquals("up", r.headers().firstValue("x-switchboard-provider").orElse(null));
        try (EventReader events = new EventReader(r.body())) {
            for (int k = 0; k < payloads.size(); k++) {
                assertEquals("data: " + payloads.get(k), events.next(), "chunk " + k);
                received[k].countDown();
            }
            assertEquals("data: [DONE]", events.next());
            assertNull(events.next(), "nothing after [DONE]");
        }
        assertEquals(List.of(), upstream.failures());

        RequestOutcome o = metrics.next();
        assertEquals(200, o.status());
        assertNull(o.errorCode());
        assertNotNull(o.stream());
        assertEquals(payloads.size(), o.stream().chunks());
        assertFalse(o.stream().aborted());
        assertFalse(o.stream().truncated());
        assertTrue(o.stream().timeToFirstByteNanos() >= 0);

        Upstream.Recorded sent = upstream.onlyRequest();
        assertEquals("Bearer " + UP_KEY, sent.header("authorization"));
        JsonNode upstreamBody = Json.MAPPER.readTree(sent.body());
        assertEquals("model-x", upstreamBody.path("model").asText());
        assertTrue(upstreamBody.path("stream").asBoolean());
    }

    @Test
    void lockstep_atHandler_eachChunkReachesSinkBeforeUpstreamSendsNext() throws Exception {
        List<String> payloads = lockstepPayloads();
        CountDownLatch[] received = latches(payloads.size());
        upstream.script(lockstep(payloads, received));
        Gateway gateway = gateway();
        RecordingSink sink = new RecordingSink();

        Thread serving = Thread.ofVirtual().start(() -> gateway.serve(request(streamBody("")), sink));
        for (int k = 0; k < payloads.size(); k++) {
            assertEquals("data: " + payloads.get(k), sink.next(), "chunk " + k);
            received[k].countDown();
        }
        assertEquals("data: [DONE]", sink.next());
        assertTrue(serving.join(Duration.ofSeconds(WAIT_SECONDS)), "serve returned");
        assertTrue(sink.ended(), "the response was ended");
        assertEquals(200, sink.status());
        assertTrue(sink.headers().get("content-type").startsWith("text/event-stream"));
        assertNull(sink.poll(), "nothing after [DONE]");
        assertEquals(List.of(), upstream.failures());
        RequestOutcome o = metrics.next();
        assertEquals(payloads.size(), o.stream().chunks());
        assertFalse(o.stream().aborted());
    }

    // ---------------------------------------------------------------- 2. caller disconnect

    @Test
    void callerDisconnect_whileUpstreamStreams_cancelsUpstream() throws Exception {
        CountDownLatch upstreamCut = new CountDownLatch(1);
        AtomicInteger sentAfterFirst = new AtomicInteger();
        upstream.script(c -> {
            c.sse();
            c.data(chunk("first", null));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            try {
                while (System.nanoTime() < end) {
                    Thread.sleep(20); // a slow model: one token every 20 ms
                    c.data(chunk(" more", null));
                    sentAfterFirst.incrementAndGet();
                }
            } catch (IOException e) {
                upstreamCut.countDown(); // the gateway closed the upstream connection
                return;
            }
            c.done();
        });
        URI url = serve(gateway());

        try (RawCaller caller = RawCaller.post(url, streamBody(""))) {
            assertEquals(200, caller.status());
            String first = caller.events().next();
            assertEquals("data: " + chunk("first", null), first);
        } // closes the connection mid-stream
        long closed = System.nanoTime();

        assertTrue(upstreamCut.await(5, TimeUnit.SECONDS),
                "the upstream's writes kept succeeding after the caller left (" + sentAfterFirst.get() + " sent)");
        assertTrue(System.nanoTime() - closed < TimeUnit.SECONDS.toNanos(5));
        RequestOutcome o = metrics.next();
        assertNotNull(o.stream());
        assertTrue(o.stream().aborted(), "outcome: " + o);
        assertFalse(o.stream().truncated(), "outcome: " + o);
        assertEquals(499, o.status());
        assertEquals(List.of(), upstream.failures());
    }

    /**
     * The caller leaves while the upstream is silent (before its headers, or after a first chunk): the gateway writes
     * nothing then, so only a keep-alive that fails can notice, and it must cancel the upstream.
     */
    @ParameterizedTest(name = "after first chunk = {0}")
    @ValueSource(booleans = {true, false})
    void callerDisconnect_whileUpstreamSilent_keepAliveNoticesAndCancelsUpstream(boolean afterFirstChunk)
            throws Exception {
        RequestOutcome o = disconnectWhileUpstreamSilent(afterFirstChunk);
        assertNotNull(o.stream());
        assertEquals(afterFirstChunk ? 1 : 0, o.stream().chunks());
    }

    @ParameterizedTest(name = "after first chunk = {0}")
    @ValueSource(booleans = {true, false})
    void callerDisconnect_whileUpstreamSilent_isRecordedAsAborted(boolean afterFirstChunk) throws Exception {
        RequestOutcome o = disconnectWhileUpstreamSilent(afterFirstChunk);
        assertNotNull(o.stream());
        assertTrue(o.stream().aborted(), "a caller that left must be recorded as aborted, got: " + o);
        assertFalse(o.stream().truncated(), "the upstream did not truncate anything, got: " + o);
        assertEquals(499, o.status(), "outcome: " + o);
        assertNull(o.errorCode(), "the upstream did not fail, got: " + o);
    }

    private RequestOutcome disconnectWhileUpstreamSilent(boolean afterFirstChunk) throws Exception {
        CountDownLatch upstreamCut = new CountDownLatch(1);
        upstream.script(c -> {
            if (afterFirstChunk) {
                c.sse();
                c.data(chunk("first", null));
            }
            // silent from here on: only the gateway's keep-alive can notice that the caller left
            if (c.awaitClosedByPeer(Duration.ofSeconds(WAIT_SECONDS))) {
                upstreamCut.countDown();
            }
        });
        URI url = serve(gateway("SWITCHBOARD_STREAM_KEEPALIVE_MS", "100"));

        try (RawCaller caller = RawCaller.post(url, streamBody(""))) {
            assertEquals(200, caller.status());
            EventReader events = caller.events(); // one reader: each de-chunks the body from where it stands
            String first = events.next();
            while (afterFirstChunk && first.equals(": keep-alive")) {
                first = events.next(); // a slow machine may send a keep-alive before the first chunk
            }
            assertEquals(afterFirstChunk ? "data: " + chunk("first", null) : ": keep-alive", first);
        } // closes the connection while the upstream says nothing

        assertTrue(upstreamCut.await(5, TimeUnit.SECONDS), "the upstream connection stayed open");
        assertEquals(List.of(), upstream.failures());
        return metrics.next();
    }

    // ---------------------------------------------------------------- 2b. upstream that never answers

    /**
     * An upstream that accepts the connection and never sends its headers: the stream's first-event bound (the
     * provider's timeout) must end the call with OpenAI's 504 {@code upstream_timeout}, before any byte reached the
     * caller, and cancel the upstream request.
     */
    @Test
    void upstreamNeverAnswers_streamIsAnswered504UpstreamTimeout() throws Exception {
        AtomicInteger cut = new AtomicInteger();
        upstream.script(c -> {
            if (c.awaitClosedByPeer(Duration.ofSeconds(WAIT_SECONDS))) {
                cut.incrementAndGet();
            }
        });
        // one call per request, every request reaching the upstream: no retry of the timeout, no breaker skipping it
        URI url = serve(gateway("SWITCHBOARD_UPSTREAM_TIMEOUT_MS", "300", "SWITCHBOARD_CONFIG",
                "{\"providers\":{\"up\":{\"type\":\"openai\",\"baseUrl\":\"" + upstream.baseUrl()
                + "\",\"apiKey\":\"env:UP_KEY\"}},\"models\":{\"m\":\"up/model-x\"},\"resilience\":{\"retry\":"
                + "{\"maxAttempts\":1},\"breaker\":{\"consecutiveFailures\":100}}}"));
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(url)
                    .header("authorization", "Bearer " + TestGateways.KEY).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(streamBody(""))).build(),
                    HttpResponse.BodyHandlers.ofString());
            answers.add(r.statusCode() + " " + Json.MAPPER.readTree(r.body()).path("error").path("code").asText());
            assertEquals(answers.get(i).substring(0, 3), Integer.toString(metrics.next().status()));
        }
        assertEquals(java.util.Collections.nCopies(5, "504 upstream_timeout"), answers);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (cut.get() < 5 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertEquals(5, cut.get(), "every upstream request was cancelled");
    }

    // ---------------------------------------------------------------- 3. truncated upstream

    /**
     * The upstream sends two chunks and then either drops the connection mid-body ({@code cut}) or ends the body
     * cleanly without {@code [DONE]}: either way a truncated stream, an error event, no {@code [DONE]}, and nothing
     * cached (the same cacheable request goes upstream again, and only a complete answer is then served from L1).
     */
    @ParameterizedTest(name = "connection cut = {0}")
    @ValueSource(booleans = {true, false})
    void truncatedUpstream_endsWithErrorEvent_andIsNotCached(boolean cut) throws Exception {
        CountDownLatch gotSecond = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        upstream.script(c -> {
            c.sse();
            if (calls.incrementAndGet() == 1) {
                c.data(chunk("Hel", null));
                c.data(chunk("lo", null));
                if (!gotSecond.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                    throw new AssertionError("caller never got the second chunk");
                }
                if (cut) {
                    c.abort();
                } else {
                    c.end(); // a clean end of the body, but no [DONE]
                }
                return;
            }
            c.data(chunk("Hello", "stop"));
            c.done();
        });
        URI url = serve(gateway("SWITCHBOARD_CACHE_POLICY", "all"));
        String body = streamBody("");

        HttpResponse<InputStream> r = post(url, body);
        assertEquals(200, r.statusCode());
        assertEquals("MISS", r.headers().firstValue("x-switchboard-cache").orElse(null));
        List<String> seen = new ArrayList<>();
        try (EventReader events = new EventReader(r.body())) {
            seen.add(events.next());
            seen.add(events.next());
            gotSecond.countDown();
            for (String e; (e = events.next()) != null; ) {
                seen.add(e);
            }
        }
        assertEquals(List.of("data: " + chunk("Hel", null), "data: " + chunk("lo", null)), seen.subList(0, 2));
        assertEquals(3, seen.size(), "two chunks and one error event: " + seen);
        JsonNode error = Json.MAPPER.readTree(data(seen.get(2))).path("error");
        assertEquals("stream_truncated", error.path("code").asText(), seen.get(2));
        assertTrue(error.path("message").isTextual());
        assertTrue(error.path("type").isTextual());
        assertFalse(seen.contains("data: [DONE]"));

        RequestOutcome o = metrics.next();
        assertEquals("stream_truncated", o.errorCode());
        assertTrue(o.stream().truncated(), "outcome: " + o);
        assertFalse(o.stream().aborted(), "outcome: " + o);
        assertEquals(0, o.bytesStored(), "a truncated stream stored nothing");

        HttpResponse<InputStream> again = post(url, body);
        assertEquals("MISS", again.headers().firstValue("x-switchboard-cache").orElse(null),
                "the truncated answer must not have been cached");
        assertEquals("Hello", content(drain(again)));
        assertEquals(2, upstream.requests().size(), "the same request went upstream again");
        assertTrue(metrics.next().bytesStored() > 0, "the complete answer is stored");

        HttpResponse<InputStream> third = post(url, body);
        assertEquals("HIT-L1", third.headers().firstValue("x-switchboard-cache").orElse(null),
                "the cache works at all in this setup");
        assertEquals("Hello", content(drain(third)));
        assertEquals(2, upstream.requests().size());
    }

    // ---------------------------------------------------------------- 4. keep-alive before a slow first token

    @Test
    void slowFirstToken_callerReceivesKeepAlivesThenCompleteStream() throws Exception {
        CountDownLatch sawKeepAlives = new CountDownLatch(1);
        upstream.script(c -> {
            c.sse(); // headers now, the first token much later
            if (!sawKeepAlives.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                c.abort();
                throw new AssertionError("the caller never saw two keep-alives");
            }
            c.data(chunk("late", null));
            c.data(chunk(" token", "stop"));
            c.done();
        });
        URI url = serve(gateway("SWITCHBOARD_STREAM_KEEPALIVE_MS", "100"));

        HttpResponse<InputStream> r = post(url, streamBody(""));
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        int keepAlives = 0;
        List<String> data = new ArrayList<>();
        try (EventReader events = new EventReader(r.body())) {
            for (String e; (e = events.next()) != null; ) {
                if (e.equals(": keep-alive")) {
                    if (data.isEmpty() && ++keepAlives == 2) {
                        sawKeepAlives.countDown();
                    }
                } else {
                    assertTrue(e.startsWith("data: "), "unexpected event: " + e);
                    data.add(e);
                }
            }
        }
        assertTrue(keepAlives >= 2, "keep-alives before the first data event: " + keepAlives);
        assertEquals(List.of("data: " + chunk("late", null), "data: " + chunk(" token", "stop"), "data: [DONE]"),
                data);
        RequestOutcome o = metrics.next();
        assertEquals(200, o.status());
        assertTrue(o.stream().keepAlives() >= 2, "outcome: " + o);
        assertEquals(2, o.stream().chunks());
        assertEquals(-1, o.stream().upstreamToCallerNanos(), "a keep-alive went first: not measured");
        assertEquals(List.of(), upstream.failures());
    }

    // ---------------------------------------------------------------- 5. streamed miss cached and replayed

    @Test
    void streamedMiss_isCachedInL1AndL2_andReplayedAsStreamAndAsCompletion() throws Exception {
        redis = Redis.start();
        List<String> pieces = List.of("Cached", " answer", " — ", "ünïcödé ✓");
        upstream.script(c -> {
            c.sse();
            c.data(roleChunk());
            for (int i = 0; i < pieces.size(); i++) {
                c.data(chunk(pieces.get(i), i == pieces.size() - 1 ? "stop" : null));
            }
            c.done();
        });
        String[] env = {"SWITCHBOARD_CACHE_URL", redis.url(), "SWITCHBOARD_CACHE_L2_TIMEOUT_MS", "1000"};
        URI url = serve(gateway(env));
        String expected = String.join("", pieces);
        String streamed = streamBody("\"temperature\":0");

        HttpResponse<InputStream> first = post(url, streamed);
        assertEquals("MISS", first.headers().firstValue("x-switchboard-cache").orElse(null));
        String key = first.headers().firstValue("x-switchboard-cache-key").orElse(null);
        assertNotNull(key);
        List<String> firstEvents = drain(first);
        assertEquals("data: [DONE]", firstEvents.get(firstEvents.size() - 1));
        assertEquals(expected, content(firstEvents));
        RequestOutcome stored = metrics.next(); // recorded after the store: the next request can hit
        assertEquals("MISS", stored.cache());
        assertTrue(stored.bytesStored() > 0, "stored in L1: " + stored);
        assertTrue(stored.bytesStoredEncoded() > 0, "written to L2: " + stored);
        assertEquals(0, stored.l2Errors());

        HttpResponse<InputStream> second = post(url, streamed);
        assertEquals(200, second.statusCode());
        assertEquals("HIT-L1", second.headers().firstValue("x-switchboard-cache").orElse(null));
        assertEquals(key, second.headers().firstValue("x-switchboard-cache-key").orElse(null));
        assertTrue(second.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        List<String> replayed = drain(second);
        assertEquals("data: [DONE]", replayed.get(replayed.size() - 1));
        assertEquals(expected, content(replayed));
        assertEquals("stop", lastFinishReason(replayed));
        assertEquals("HIT-L1", metrics.next().cache());

        HttpResponse<String> whole = client.send(HttpRequest.newBuilder(url)
                .header("authorization", "Bearer " + TestGateways.KEY).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(chatBody("\"temperature\":0"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, whole.statusCode());
        assertEquals("HIT-L1", whole.headers().firstValue("x-switchboard-cache").orElse(null));
        assertTrue(whole.headers().firstValue("content-type").orElse("").startsWith("application/json"));
        JsonNode completion = Json.MAPPER.readTree(whole.body());
        assertEquals("chat.completion", completion.path("object").asText());
        assertEquals(expected, completion.path("choices").get(0).path("message").path("content").asText());
        assertEquals("stop", completion.path("choices").get(0).path("finish_reason").asText());
        metrics.next();

        // Another environment (its own, empty L1) finds the streamed answer in the shared L2.
        URI other = serve(gateway(env));
        HttpResponse<InputStream> fromL2 = post(other, streamed);
        assertEquals("HIT-L2", fromL2.headers().firstValue("x-switchboard-cache").orElse(null));
        assertEquals(expected, content(drain(fromL2)));

        assertEquals(1, upstream.requests().size(), "the upstream saw exactly one request");
        assertEquals(List.of(), upstream.failures());
    }

    // ---------------------------------------------------------------- 6. errors before and after the first byte

    @Test
    void upstreamRateLimit_beforeFirstByte_isPlainJsonErrorWithStatusAndRetryAfter() throws Exception {
        upstream.script(c -> c.json(429, "{\"error\":{\"message\":\"Rate limit reached; you said " + PROMPT
                + "\",\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}", "Retry-After", "3"));
        URI url = serve(gateway());

        HttpResponse<String> r = client.send(HttpRequest.newBuilder(url)
                .header("authorization", "Bearer " + TestGateways.KEY).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(streamBody(""))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(429, r.statusCode());
        assertEquals("3", r.headers().firstValue("retry-after").orElse(null));
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"));
        assertFalse(r.body().startsWith("data:"), "no event stream: " + r.body());
        JsonNode root = Json.MAPPER.readTree(r.body());
        assertEquals(1, root.size(), "only an 'error' member");
        assertEquals("rate_limit_exceeded", root.path("error").path("code").asText());
        assertEquals("rate_limit_error", root.path("error").path("type").asText());
        assertTrue(root.path("error").path("message").isTextual());
        assertFalse(r.body().contains(PROMPT), "the upstream's message is not passed on: " + r.body());
        RequestOutcome o = metrics.next();
        assertEquals(429, o.status());
        assertEquals("rate_limit_exceeded", o.errorCode());
    }

    @Test
    void upstreamErrorEvent_afterFirstByte_endsStreamWithSanitizedErrorEvent() throws Exception {
        upstream.script(c -> {
            c.sse();
            c.data(chunk("partial", null));
            c.data("{\"error\":{\"message\":\"boom " + PROMPT + "\",\"type\":\"server_error\"}}");
            c.end();
        });
        URI url = serve(gateway());

        HttpResponse<InputStream> r = post(url, streamBody(""));
        assertEquals(200, r.statusCode());
        StringBuilder all = new StringBuilder();
        r.headers().map().forEach((k, v) -> all.append(k).append(": ").append(v).append('\n'));
        List<String> events = drain(r);
        events.forEach(e -> all.append(e).append("\n\n"));

        assertEquals(2, events.size(), "the chunk and one error event: " + events);
        assertEquals("data: " + chunk("partial", null), events.get(0));
        JsonNode error = Json.MAPPER.readTree(data(events.get(1))).path("error");
        assertEquals("upstream_stream_error", error.path("code").asText(), events.get(1));
        assertTrue(error.path("message").isTextual() && !error.path("message").asText().isBlank());
        assertFalse(events.contains("data: [DONE]"));
        assertFalse(all.toString().contains("boom"), "the upstream's message reached the caller: " + all);
        assertFalse(all.toString().contains(PROMPT), "the prompt reached the caller: " + all);
        RequestOutcome o = metrics.next();
        assertEquals("upstream_stream_error", o.errorCode());
        assertEquals(200, o.status());
        assertFalse(o.stream().truncated());
        assertFalse(o.stream().aborted());
    }

    // ---------------------------------------------------------------- 7. stream_options.include_usage

    @Test
    void includeUsage_usageChunkIsPassedThrough_andTokensAreRecorded() throws Exception {
        String usage = "{\"id\":\"chatcmpl-up1\",\"object\":\"chat.completion.chunk\",\"created\":1741570283,"
                + "\"model\":\"model-x\",\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":7,"
                + "\"total_tokens\":18,\"prompt_tokens_details\":{\"cached_tokens\":0}}}";
        List<String> payloads = List.of(roleChunk(), chunk("Counted", null), chunk(" tokens", "stop"), usage);
        upstream.script(c -> {
            c.sse();
            for (String p : payloads) {
                c.data(p);
            }
            c.done();
        });
        URI url = serve(gateway());

        HttpResponse<InputStream> r = post(url, streamBody("\"stream_options\":{\"include_usage\":true}"));
        assertEquals(200, r.statusCode());
        List<String> events = drain(r);
        List<String> expected = new ArrayList<>();
        payloads.forEach(p -> expected.add("data: " + p));
        expected.add("data: [DONE]");
        assertEquals(expected, events);

        JsonNode forwarded = Json.MAPPER.readTree(upstream.onlyRequest().body());
        assertTrue(forwarded.path("stream_options").path("include_usage").asBoolean(),
                "stream_options reaches the upstream: " + forwarded);
        RequestOutcome o = metrics.next();
        assertEquals(11, o.tokensIn());
        assertEquals(7, o.tokensOut());
        assertEquals(4, o.stream().chunks());
    }

    // ================================================================ helpers

    private Gateway gateway(String... extra) {
        String config = "{\"providers\":{\"up\":{\"type\":\"openai\",\"baseUrl\":\"" + upstream.baseUrl()
                + "\",\"apiKey\":\"env:UP_KEY\"}},\"models\":{\"m\":\"up/model-x\"}}";
        String[] all = new String[extra.length + 4];
        all[0] = "SWITCHBOARD_CONFIG";
        all[1] = config;
        all[2] = "UP_KEY";
        all[3] = UP_KEY;
        System.arraycopy(extra, 0, all, 4, extra.length);
        Gateway g = Gateway.builder(Settings.from(TestGateways.env(all))).metrics(metrics).build();
        gateways.add(g);
        return g;
    }

    private URI serve(Gateway gateway) throws IOException {
        HttpServer server = CompletionServer.start(new CompletionServer(gateway, InstantSource.system()), 0);
        servers.add(server);
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + Gateway.CHAT_COMPLETIONS);
    }

    private HttpResponse<InputStream> post(URI url, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(url)
                .timeout(Duration.ofSeconds(WAIT_SECONDS))
                .header("authorization", "Bearer " + TestGateways.KEY)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    private static GatewayRequest request(String body) {
        Map<String, String> headers = new HashMap<>();
        headers.put("authorization", "Bearer " + TestGateways.KEY);
        headers.put("content-type", "application/json");
        return new GatewayRequest("POST", Gateway.CHAT_COMPLETIONS, headers, body.getBytes(StandardCharsets.UTF_8),
                "req-streaming", Long.MAX_VALUE);
    }

    private static String chatBody(String extra) {
        return "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT + "\"}]"
                + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    private static String streamBody(String extra) {
        return chatBody("\"stream\":true" + (extra.isEmpty() ? "" : "," + extra));
    }

    private static String quote(String s) {
        return Json.MAPPER.getNodeFactory().textNode(s).toString();
    }

    /** A content chunk as OpenAI sends it. */
    private static String chunk(String content, String finishReason) {
        return "{\"id\":\"chatcmpl-up1\",\"object\":\"chat.completion.chunk\",\"created\":1741570283,"
                + "\"model\":\"model-x\",\"system_fingerprint\":\"fp_test\",\"choices\":[{\"index\":0,\"delta\":{"
                + (content == null ? "" : "\"content\":" + quote(content)) + "},\"logprobs\":null,\"finish_reason\":"
                + (finishReason == null ? "null" : quote(finishReason)) + "}]}";
    }

    private static String roleChunk() {
        return "{\"id\":\"chatcmpl-up1\",\"object\":\"chat.completion.chunk\",\"created\":1741570283,"
                + "\"model\":\"model-x\",\"system_fingerprint\":\"fp_test\",\"choices\":[{\"index\":0,\"delta\":"
                + "{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,"
                + "\"finish_reason\":null}]}";
    }

    private static String data(String event) {
        assertTrue(event.startsWith("data: "), "not a data event: " + event);
        return event.substring(6);
    }

    /** Every event of a response, in order. */
    private static List<String> drain(HttpResponse<InputStream> r) throws IOException {
        List<String> out = new ArrayList<>();
        try (EventReader events = new EventReader(r.body())) {
            for (String e; (e = events.next()) != null; ) {
                out.add(e);
            }
        }
        return out;
    }

    /** The concatenated content of a stream's chunks. */
    private static String content(List<String> events) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String e : events) {
            String d = data(e);
            if (d.equals("[DONE]")) {
                continue;
            }
            for (JsonNode ch : Json.MAPPER.readTree(d).path("choices")) {
                sb.append(ch.path("delta").path("content").asText(""));
            }
        }
        return sb.toString();
    }

    private static String lastFinishReason(List<String> events) throws IOException {
        String finish = null;
        for (String e : events) {
            String d = data(e);
            if (!d.equals("[DONE]")) {
                for (JsonNode ch : Json.MAPPER.readTree(d).path("choices")) {
                    if (ch.path("finish_reason").isTextual()) {
                        finish = ch.path("finish_reason").asText();
                    }
                }
            }
        }
        return finish;
    }

    /** Metrics that keep every outcome for the test to inspect. */
    static final class RecordingMetrics implements GatewayMetrics {
        private final BlockingQueue<RequestOutcome> outcomes = new LinkedBlockingQueue<>();

        @Override
        public void coldStart() {
        }

        @Override
        public void request(RequestOutcome outcome) {
            outcomes.add(outcome);
        }

        @Override
        public void built(String name, long nanos) {
        }

        /** The next recorded outcome (waits for it: it is recorded after the response ended). */
        RequestOutcome next() throws InterruptedException {
            RequestOutcome o = outcomes.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(o, "no request outcome was recorded");
            return o;
        }
    }

    /**
     * Reads server-sent events one at a time as they arrive: each event's raw text (its lines, without the blank
     * line that ends it), comments included; null at the end of the body.
     */
    static final class EventReader implements AutoCloseable {
        private final InputStream in;

        EventReader(InputStream in) {
            this.in = in;
        }

        String next() throws IOException {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int prev = -1;
            while (true) {
                int b = in.read();
                if (b < 0) {
                    if (buf.size() > 0) {
                        throw new IOException("the body ended inside an event: " + buf.toString(StandardCharsets.UTF_8));
                    }
                    return null;
                }
                if (b == '\n' && prev == '\n') {
                    byte[] bytes = buf.toByteArray();
                    return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
                }
                buf.write(b);
                prev = b;
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** A {@link ResponseSink} that streams: each complete event is queued when flushed. */
    static final class RecordingSink implements ResponseSink {
        private static final String END = "\u0000end";
        private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private volatile int status;
        private volatile Map<String, String> headers;
        private volatile boolean ended;

        @Override
        public synchronized void begin(int s, Map<String, String> h, long length) {
            if (headers != null) {
                throw new IllegalStateException("response already begun");
            }
            status = s;
            headers = Map.copyOf(h);
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) {
            if (headers == null || ended) {
                throw new IllegalStateException("write outside the response");
            }
            pending.write(bytes, offset, length);
        }

        @Override
        public synchronized void flush() {
            String text = pending.toString(StandardCharsets.UTF_8);
            int at;
            while ((at = text.indexOf("\n\n")) >= 0) {
                events.add(text.substring(0, at));
                text = text.substring(at + 2);
            }
            pending.reset();
            pending.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public synchronized void end() {
            flush();
            ended = true;
            events.add(END);
        }

        @Override
        public boolean committed() {
            return headers != null;
        }

        /** The next event, waiting for it; fails at the end of the response or after the timeout. */
        String next() throws InterruptedException {
            String e = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(e, "no event within " + WAIT_SECONDS + " s");
            assertNotEquals(END, e, "the response ended");
            return e;
        }

        /** The next event if one is queued now (null at the end of the response). */
        String poll() {
            String e = events.poll();
            return e == null || e.equals(END) ? null : e;
        }

        int status() {
            return status;
        }

        Map<String, String> headers() {
            return headers;
        }

        boolean ended() {
            return ended;
        }
    }

    /**
     * A caller on a raw socket, so the test decides exactly when the connection closes: sends one request, reads
     * the status and headers, then the chunked body's events one at a time.
     */
    static final class RawCaller implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final int status;

        private RawCaller(Socket socket, InputStream in, int status) {
            this.socket = socket;
            this.in = in;
            this.status = status;
        }

        static RawCaller post(URI url, String body) throws IOException {
            Socket s = new Socket(InetAddress.getLoopbackAddress(), url.getPort());
            s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            String head = "POST " + url.getRawPath() + " HTTP/1.1\r\nHost: 127.0.0.1:" + url.getPort() + "\r\n"
                    + "Authorization: Bearer " + TestGateways.KEY + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + b.length + "\r\n\r\n";
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(b);
            out.flush();
            InputStream in = new BufferedInputStream(s.getInputStream());
            String statusLine = Upstream.line(in);
            boolean chunked = false;
            for (String h; !(h = Upstream.line(in)).isEmpty(); ) {
                if (h.toLowerCase(Locale.ROOT).startsWith("transfer-encoding:") && h.toLowerCase(Locale.ROOT)
                        .contains("chunked")) {
                    chunked = true;
                }
            }
            assertTrue(chunked, "a stream is sent chunked");
            return new RawCaller(s, in, Integer.parseInt(statusLine.split(" ")[1]));
        }

        int status() {
            return status;
        }

        /** The body's events (de-chunked). */
        EventReader events() {
            return new EventReader(new InputStream() {
                private int left;
                private boolean first = true;
                private boolean eof;

                @Override
                public int read() throws IOException {
                    if (eof) {
                        return -1;
                    }
                    if (left == 0) {
                        if (!first) {
                            Upstream.line(in); // the CRLF after a chunk's data
                        }
                        first = false;
                        String size = Upstream.line(in);
                        left = Integer.parseInt(size.split(";")[0].strip(), 16);
                        if (left == 0) {
                            eof = true;
                            return -1;
                        }
                    }
                    left--;
                    return in.read();
                }
            });
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /**
     * A loopback upstream on a raw server socket that speaks just enough HTTP/1.1 for the gateway's client: one
     * request per connection ({@code Connection: close}), answers scripted by the test, bodies chunked or with a
     * content length, and connections it can drop mid-body.
     */
    static final class Upstream implements AutoCloseable {
        /** What to do with one request. */
        @FunctionalInterface
        interface Script {
            void serve(Conn c) throws Exception;
        }

        /** One request as received. */
        record Recorded(String requestLine, Map<String, String> headers, byte[] body) {
            String header(String name) {
                return headers.get(name.toLowerCase(Locale.ROOT));
            }
        }

        private final ServerSocket server;
        private final List<Recorded> requests = new CopyOnWriteArrayList<>();
        private final List<Throwable> failures = new CopyOnWriteArrayList<>();
        private final Set<Socket> open = ConcurrentHashMap.newKeySet();
        private volatile Script script = c -> c.json(500, "{\"error\":{\"message\":\"no script\"}}");
        private volatile boolean closing;

        private Upstream(ServerSocket server) {
            this.server = server;
        }

        static Upstream start() throws IOException {
            Upstream u = new Upstream(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
            Thread.ofPlatform().daemon().name("test-upstream-accept").start(u::accept);
            return u;
        }

        void script(Script s) {
            this.script = s;
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getLocalPort() + "/v1";
        }

        List<Recorded> requests() {
            return List.copyOf(requests);
        }

        Recorded onlyRequest() {
            List<Recorded> r = requests();
            assertEquals(1, r.size(), "upstream requests");
            return r.get(0);
        }

        /** Failures inside scripts (assertions included), for tests to assert none happened. */
        List<Throwable> failures() {
            return List.copyOf(failures);
        }

        private void accept() {
            while (!closing) {
                try {
                    Socket s = server.accept();
                    open.add(s);
                    Thread.ofVirtual().name("test-upstream-conn").start(() -> handle(s));
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        private void handle(Socket s) {
            try (s) {
                InputStream in = new BufferedInputStream(s.getInputStream());
                String requestLine = line(in);
                Map<String, String> headers = new LinkedHashMap<>();
                for (String h; !(h = line(in)).isEmpty(); ) {
                    int colon = h.indexOf(':');
                    headers.put(h.substring(0, colon).strip().toLowerCase(Locale.ROOT), h.substring(colon + 1).strip());
                }
                int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
                byte[] body = in.readNBytes(length);
                requests.add(new Recorded(requestLine, Map.copyOf(headers), body));
                script.serve(new Conn(s, in, s.getOutputStream()));
            } catch (Throwable t) {
                if (!closing) {
                    failures.add(t);
                }
            } finally {
                open.remove(s);
            }
        }

        /** One line of an HTTP head, without its CRLF. */
        static String line(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed inside a line: " + sb);
                }
                if (b == '\n') {
                    int n = sb.length();
                    return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
                }
                sb.append((char) b);
            }
        }

        @Override
        public void close() {
            closing = true;
            try {
                server.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            for (Socket s : open) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }

        /** One connection's answer. */
        static final class Conn {
            private final Socket socket;
            private final InputStream in;
            private final OutputStream out;

            Conn(Socket socket, InputStream in, OutputStream out) {
                this.socket = socket;
                this.in = in;
                this.out = out;
            }

            /** Status 200 and an event stream's headers, chunked. */
            void sse() throws IOException {
                head(200, "text/event-stream; charset=utf-8", -1);
            }

            private void head(int status, String contentType, long length, String... extra) throws IOException {
                StringBuilder h = new StringBuilder("HTTP/1.1 ").append(status).append(status == 200 ? " OK" : " Error")
                        .append("\r\nContent-Type: ").append(contentType).append("\r\nConnection: close\r\n");
                h.append(length < 0 ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + length + "\r\n");
                for (int i = 0; i < extra.length; i += 2) {
                    h.append(extra[i]).append(": ").append(extra[i + 1]).append("\r\n");
                }
                out.write(h.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }

            /** One chunk of the body, flushed. */
            void chunk(String text) throws IOException {
                byte[] b = text.getBytes(StandardCharsets.UTF_8);
                out.write((Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(b);
                out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }

            /** One {@code data:} event in a chunk of its own. */
            void data(String payload) throws IOException {
                chunk("data: " + payload + "\n\n");
            }

            /** {@code data: [DONE]} and the end of the body. */
            void done() throws IOException {
                data("[DONE]");
                end();
            }

            /** The end of the chunked body. */
            void end() throws IOException {
                out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }

            /** A whole JSON answer with a content length. */
            void json(int status, String json, String... headers) throws IOException {
                byte[] b = json.getBytes(StandardCharsets.UTF_8);
                head(status, "application/json", b.length, headers);
                out.write(b);
                out.flush();
            }

            /** Drops the connection where it is (mid-body). */
            void abort() throws IOException {
                socket.close();
            }

            /** Whether the peer closed the connection within {@code timeout} (it sends nothing after the request). */
            boolean awaitClosedByPeer(Duration timeout) throws IOException {
                socket.setSoTimeout((int) timeout.toMillis());
                try {
                    return in.read() < 0;
                } catch (SocketTimeoutException e) {
                    return false;
                } catch (SocketException e) {
                    return true; // reset by the peer
                }
            }
        }
    }

    /** A real {@code redis-server} on a free loopback port (skips the test where it is not installed). */
    static final class Redis implements AutoCloseable {
        private final int port;
        private final Process process;

        private Redis(int port, Process process) {
            this.port = port;
            this.process = process;
        }

        static Redis start() throws Exception {
            String binary = null;
            for (String dir : (System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/bin")
                    .split(File.pathSeparator)) {
                File f = new File(dir, "redis-server");
                if (f.canExecute()) {
                    binary = f.getPath();
                    break;
                }
            }
            if ("true".equals(System.getenv("CI"))) {
                assertNotNull(binary, "redis-server is required in CI");
            } else {
                assumeTrue(binary != null, "redis-server is not installed");
            }
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Process p = new ProcessBuilder(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save",
                    "", "--appendonly", "no").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            Redis r = new Redis(port, p);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    return r;
                } catch (IOException notYet) {
                    Thread.sleep(20);
                }
            }
            r.close();
            fail("redis-server did not start on port " + port);
            return null;
        }

        String url() {
            return "redis://127.0.0.1:" + port;
        }

        @Override
        public void close() {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
