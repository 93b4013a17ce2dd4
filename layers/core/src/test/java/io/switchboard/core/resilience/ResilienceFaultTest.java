package io.switchboard.core.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.Gateway;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.config.Settings;
import io.switchboard.core.http.GatewayRequest;
import io.switchboard.core.http.GatewayResponse;
import io.switchboard.shared.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fault injection end to end: a {@link Gateway} in front of loopback upstreams ({@link FaultyUpstream}) that fail in
 * every way providers do. Whenever a healthy deployment or a retry within the deadline exists, the caller gets its
 * answer; otherwise a correct error, without waiting. Time is injected ({@link FakeTime}): waits are recorded, not
 * slept; the randomness picks the first listed deployment and no jitter, so the order of calls is known.
 */
class ResilienceFaultTest {
    /** Always 0: the first candidate deployment, a zero backoff. */
    private static final RandomGenerator FIRST = () -> 0L;

    private final AtomicInteger prompts = new AtomicInteger();
    private FaultyUpstream bad;
    private FaultyUpstream good;
    private FaultyUpstream flaky;
    private FaultyUpstream claude;
    private FakeTime time;
    private RecordingMetrics metrics;
    private Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        bad = FaultyUpstream.openAi();
        good = FaultyUpstream.openAi();
        flaky = FaultyUpstream.openAi();
        claude = FaultyUpstream.anthropic();
        time = FakeTime.flowing();
        metrics = new RecordingMetrics();
        String config = """
                {"providers": {
                   "bad": {"type": "openai", "baseUrl": "%s", "timeoutMs": 400},
                   "good": {"type": "openai", "baseUrl": "%s"},
                   "flaky": {"type": "openai", "baseUrl": "%s", "timeoutMs": 800},
                   "claude": {"type": "anthropic", "baseUrl": "%s", "apiKey": "env:CLAUDE_KEY"}},
                 "models": {
                   "g": {"deployments": [{"route": "bad/m-1", "id": "bad-east"}, {"route": "good/m-1", "id": "good-west"}],
                         "retry": {"maxAttempts": 3, "baseDelayMs": 100, "maxDelayMs": 1000}},
                   "one": "flaky/m-1",
                   "claude": "claude/claude-x",
                   "claude-or-good": {"deployments": ["claude/claude-x", "good/m-1"]},
                   "down": {"deployments": ["bad/m-1"], "fallbacks": ["nope", "good-model"]},
                   "small": {"deployments": ["bad/m-small"], "contextWindowFallbacks": ["big"],
                             "contentPolicyFallbacks": ["safe"], "fallbacks": ["other"]},
                   "good-model": "good/m-1", "big": "good/m-big", "safe": "good/m-safe", "other": "good/m-other"},
                 "resilience": {"breaker": {"consecutiveFailures": 5, "cooldownMs": 30000}}}
                """.formatted(bad.baseUrl(), good.baseUrl(), flaky.baseUrl(), claude.baseUrl());
        Map<String, String> env = new HashMap<>();
        env.put("SWITCHBOARD_API_KEYS", "t:" + Authenticator.sha256Hex("key"));
        env.put("SWITCHBOARD_METRICS", "off");
        env.put("CLAUDE_KEY", "sk-ant-test");
        env.put("SWITCHBOARD_CONFIG", config);
        gateway = Gateway.builder(Settings.from(env)).ticker(time).waits(time).random(FIRST).metrics(metrics).build();
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        for (FaultyUpstream u : List.of(bad, good, flaky, claude)) {
            u.close();
        }
    }

    private GatewayResponse send(String model, boolean stream, long remainingMillis) {
        String body = "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hello " + prompts.incrementAndGet() + "\"}]}";
        return gateway.handle(new GatewayRequest("POST", "/v1/chat/completions",
                Map.of("authorization", "Bearer key", "content-type", "application/json"),
                body.getBytes(StandardCharsets.UTF_8), "req-" + prompts.get(), remainingMillis));
    }

    private GatewayResponse send(String model) {
        return send(model, false, 25_000);
    }

    private static String text(GatewayResponse r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private static String content(GatewayResponse r) throws Exception {
        return Json.MAPPER.readTree(r.body()).path("choices").get(0).path("message").path("content").asText();
    }

    static Stream<FaultyUpstream.Fault> faults() {
        return Stream.of(FaultyUpstream.status(500), FaultyUpstream.status(502), FaultyUpstream.status(503),
                FaultyUpstream.status(429), FaultyUpstream.status(429, "Retry-After", "1"),
                FaultyUpstream.status(429, "retry-after-ms", "200"), new FaultyUpstream.Reset(),
                new FaultyUpstream.Hang(), new FaultyUpstream.SlowBody());
    }

    @ParameterizedTest
    @MethodSource("faults")
    void failingDeployment_everyRequestServedByTheHealthyOne(FaultyUpstream.Fault fault) throws Exception {
        bad.always(fault);
        for (int i = 0; i < 12; i++) {
            GatewayResponse r = send("g");
            assertEquals(200, r.status(), () -> "request failed: " + text(r));
            assertEquals("Hello!", content(r));
            assertEquals("good-west", r.headers().get("x-switchboard-deployment"));
            assertNull(r.headers().get("x-switchboard-fallback"));
        }
        assertTrue(bad.requests() >= 1, "the failing deployment was tried");
        assertTrue(bad.requests() <= 5, "its breaker (5 in a row) keeps it out afterwards, got " + bad.requests());
        assertEquals(12, good.requests());
        assertEquals(Duration.ZERO, time.waited(), "moving to another deployment waits for nothing");
        if (!(fault instanceof FaultyUpstream.Status s && s.headers().length > 0)) {
            assertEquals(1, metrics.count("breaker bad-east CLOSED>OPEN"));
        } // a Retry-After keeps the deployment out by itself: fewer calls, no trip
    }

    @ParameterizedTest
    @MethodSource("faults")
    void singleDeployment_failingOnce_retriedWithinTheDeadline(FaultyUpstream.Fault fault) throws Exception {
        for (int i = 0; i < 12; i++) {
            flaky.then(fault);
            GatewayResponse r = send("one");
            assertEquals(200, r.status(), () -> "request failed: " + text(r));
            assertEquals("2", r.headers().get("x-switchboard-attempts"));
            assertEquals("flaky/m-1", r.headers().get("x-switchboard-deployment"));
        }
        assertEquals(24, flaky.requests());
        assertEquals(12, metrics.count("retry flaky/m-1"));
    }

    @Test
    void retryAfter_fitsTheDeadline_waitedOutThenServed() {
        flaky.then(FaultyUpstream.status(429, "Retry-After", "1"));
        GatewayResponse r = send("one");
        assertEquals(200, r.status(), () -> text(r));
        assertEquals(1, time.waits().size());
        Duration w = time.waits().get(0);
        assertTrue(w.compareTo(Duration.ofSeconds(1)) <= 0 && w.compareTo(Duration.ofMillis(900)) > 0,
                "the Retry-After, less the time since it came: " + w);
    }

    @Test
    void retryAfter_longerThanTheDeadlineAllows_answered429AtOnce() {
        flaky.then(FaultyUpstream.status(429, "Retry-After", "30"));
        GatewayResponse r = send("one", false, 5_000);
        assertEquals(429, r.status(), () -> r.headers() + text(r));
        assertEquals("30", r.headers().get("retry-after"));
        assertEquals(1, flaky.requests());
        assertEquals(List.of(), time.waits(), "nothing is waited for when the wait cannot fit");
    }

    @Test
    void retryAfter_longerThanMaxRetryAfter_answered429AtOnce() {
        flaky.then(FaultyUpstream.status(429, "Retry-After", "11"));
        GatewayResponse r = send("one", false, 60_000);
        assertEquals(429, r.status());
        assertEquals(1, flaky.requests());
        assertEquals(List.of(), time.waits());
    }

    @Test
    void backoff_sameDeploymentRetriedAfterFullJitterWithinTheCap() {
        RandomGenerator highest = new RandomGenerator() {
            @Override
            public long nextLong() {
                return -1L;
            }

            @Override
            public double nextDouble() {
                return Math.nextDown(1.0);
            }
        };
        gateway.close();
        Map<String, String> env = new HashMap<>(gateway.settings().env());
        gateway = Gateway.builder(Settings.from(env)).ticker(time).waits(time).random(highest).metrics(metrics)
                .build();
        flaky.then(FaultyUpstream.status(503), FaultyUpstream.status(503), FaultyUpstream.status(503));
        GatewayResponse r = send("one");
        assertEquals(502, r.status(), "3 attempts, all failed");
        assertEquals(3, flaky.requests());
        List<Duration> w = time.waits();
        assertEquals(2, w.size());
        assertTrue(w.get(0).compareTo(Duration.ofMillis(100)) <= 0 && w.get(0).compareTo(Duration.ofMillis(99)) > 0,
                "first backoff ~ base 100 ms: " + w);
        assertTrue(w.get(1).compareTo(Duration.ofMillis(200)) <= 0 && w.get(1).compareTo(Duration.ofMillis(199)) > 0,
                "second backoff ~ 2 x base: " + w);
        assertEquals("3", r.headers().get("x-switchboard-attempts"));
    }

    @Test
    void anthropic529_retried() throws Exception {
        claude.then(FaultyUpstream.anthropicOverloaded());
        GatewayResponse r = send("claude");
        assertEquals(200, r.status(), () -> text(r));
        assertEquals("Hello!", content(r));
        assertEquals("2", r.headers().get("x-switchboard-attempts"));
        claude.always(FaultyUpstream.anthropicOverloaded());
        for (int i = 0; i < 6; i++) {
            GatewayResponse g = send("claude-or-good");
            assertEquals(200, g.status(), () -> text(g));
            assertEquals("good/m-1", g.headers().get("x-switchboard-deployment"));
        }
    }

    @Test
    void everyDeploymentFailing_answeredWithTheUpstreamError_afterMaxAttempts() {
        bad.always(FaultyUpstream.status(503));
        good.always(FaultyUpstream.status(503));
        GatewayResponse r = send("g");
        assertEquals(502, r.status());
        assertEquals("3", r.headers().get("x-switchboard-attempts"));
        assertEquals(3, bad.requests() + good.requests());
    }

    @Test
    void everyBreakerOpen_answeredAtOnceWithoutCallingAnything() {
        bad.always(FaultyUpstream.status(503));
        good.always(FaultyUpstream.status(503));
        for (int i = 0; i < 4; i++) {
            send("g"); // 3 calls each: both breakers see 5 in a row
        }
        int calls = bad.requests() + good.requests();
        GatewayResponse r = send("g");
        assertEquals(502, r.status());
        assertTrue(text(r).contains("deployments_unavailable"), text(r));
        assertTrue(r.headers().containsKey("retry-after"));
        assertEquals(calls, bad.requests() + good.requests(), "no upstream call");
    }

    @Test
    void fallbacks_generalContextWindowAndContentPolicy() {
        bad.always(FaultyUpstream.status(503));
        GatewayResponse down = send("down");
        assertEquals(200, down.status(), () -> text(down));
        assertEquals("good-model", down.headers().get("x-switchboard-fallback"), "the unknown 'nope' is skipped");
        assertEquals(1, metrics.count("fallback down good-model failure"));

        bad.always(FaultyUpstream.openAiError(400, "context_length_exceeded"));
        GatewayResponse window = send("small");
        assertEquals(200, window.status(), () -> text(window));
        assertEquals("big", window.headers().get("x-switchboard-fallback"));

        bad.always(FaultyUpstream.openAiError(400, "content_policy_violation"));
        GatewayResponse policy = send("small");
        assertEquals(200, policy.status(), () -> text(policy));
        assertEquals("safe", policy.headers().get("x-switchboard-fallback"));

        int before = bad.requests();
        bad.always(FaultyUpstream.openAiError(400, "invalid_value"));
        GatewayResponse invalid = send("small");
        assertEquals(400, invalid.status(), "the caller's own error: no retry, no fallback");
        assertEquals(before + 1, bad.requests());
        assertNull(invalid.headers().get("x-switchboard-fallback"));
    }

    @Test
    void stream_failingBeforeItsFirstByte_retried() throws Exception {
        flaky.then(FaultyUpstream.status(503), new FaultyUpstream.Truncated(0));
        GatewayResponse r = send("one", true, 25_000);
        assertEquals(200, r.status(), () -> text(r));
        assertTrue(text(r).contains("lo!") && text(r).endsWith("data: [DONE]\n\n"), text(r));
        assertEquals("3", r.headers().get("x-switchboard-attempts"));
    }

    @Test
    void stream_cutAfterItsFirstByte_neverRetried() {
        flaky.then(new FaultyUpstream.Truncated(1));
        StreamingSink sink = new StreamingSink();
        String body = "{\"model\":\"one\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        gateway.serve(new GatewayRequest("POST", "/v1/chat/completions",
                Map.of("authorization", "Bearer key", "content-type", "application/json"),
                body.getBytes(StandardCharsets.UTF_8), "req-s", 25_000), sink);
        assertEquals(200, sink.status, "the status went out with the first chunk");
        String text = sink.body.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("Hel") && text.contains("stream_truncated") && !text.contains("[DONE]"), text);
        assertEquals(1, flaky.requests(), "no second call once the caller has a byte");
        assertEquals("1", sink.headers.get("x-switchboard-attempts"));
        assertEquals("flaky/m-1", sink.headers.get("x-switchboard-deployment"));
    }

    @Test
    void stream_hangingOrThrottledBeforeItsFirstEvent_retriedOnAStreamingEdge() {
        bad.then(new FaultyUpstream.Hang());
        StreamingSink hung = stream("g");
        assertEquals(200, hung.status, () -> hung.text() + hung.headers + metrics.events);
        assertTrue(hung.text().contains("lo!") && hung.text().endsWith("data: [DONE]\n\n"), hung.text());
        assertEquals("2", hung.headers.get("x-switchboard-attempts"), "the first-event timeout, then the other one");
        assertEquals("good-west", hung.headers.get("x-switchboard-deployment"));

        flaky.then(FaultyUpstream.status(429));
        StreamingSink throttled = stream("one");
        assertEquals(200, throttled.status, throttled::text);
        assertEquals("2", throttled.headers.get("x-switchboard-attempts"));
        assertEquals(2, flaky.requests());
    }

    private StreamingSink stream(String model) {
        StreamingSink sink = new StreamingSink();
        String body = "{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi " + prompts.incrementAndGet() + "\"}]}";
        gateway.serve(new GatewayRequest("POST", "/v1/chat/completions",
                Map.of("authorization", "Bearer key", "content-type", "application/json"),
                body.getBytes(StandardCharsets.UTF_8), "req-s" + prompts.get(), 25_000), sink);
        return sink;
    }

    @Test
    void bufferedStream_cutAfterItsFirstChunk_notRetriedEither() {
        flaky.then(new FaultyUpstream.Truncated(1));
        GatewayResponse r = send("one", true, 25_000);
        assertEquals(502, r.status(), "an edge that cannot stream answers the error whole");
        assertTrue(text(r).contains("stream_truncated"), text(r));
        assertEquals(1, flaky.requests());
    }

    /** A sink that streams (an HTTP connection), recording what it was sent. */
    private static final class StreamingSink implements io.switchboard.core.http.ResponseSink {
        int status;
        Map<String, String> headers;
        final java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        private boolean committed;

        @Override
        public void begin(int s, Map<String, String> h, long length) {
            status = s;
            headers = Map.copyOf(h);
            committed = true;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            body.write(bytes, offset, length);
        }

        @Override
        public void flush() {
        }

        @Override
        public void end() {
        }

        @Override
        public boolean committed() {
            return committed;
        }

        String text() {
            return body.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void theIssuesRepro_firstAttemptOfEachRequestFails_allTwelveSucceed() {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            flaky.then(i % 2 == 0 ? FaultyUpstream.status(503) : FaultyUpstream.status(429, "Retry-After", "1"));
            statuses.add(send("one").status());
        }
        assertEquals(List.of(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200), statuses);
    }
}
