package io.switchboard.core.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UpstreamErrorsTest {
    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");
    private static final String SECRET = "sk-proj-AbCdEf0123456789SECRET";

    private static byte[] body(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static GatewayException status(int status) {
        return UpstreamErrors.fromStatus("openai", status, null, null, null, NOW);
    }

    private static void assertNoSecret(GatewayException e) {
        assertFalse(e.getMessage().contains(SECRET), () -> "upstream secret leaked: " + e.getMessage());
        assertFalse(e.getMessage().contains("SECRET"), () -> "upstream text leaked: " + e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
            "400, UPSTREAM_INVALID_REQUEST, 400",
            "409, UPSTREAM_INVALID_REQUEST, 400",
            "413, UPSTREAM_INVALID_REQUEST, 400",
            "422, UPSTREAM_INVALID_REQUEST, 400",
            "401, UPSTREAM_AUTHENTICATION, 502",
            "403, UPSTREAM_AUTHENTICATION, 502",
            "404, MODEL_NOT_FOUND, 404",
            "408, UPSTREAM_TIMEOUT, 504",
            "429, RATE_LIMITED, 429",
            "500, UPSTREAM_ERROR, 502",
            "502, UPSTREAM_ERROR, 502",
            "503, UPSTREAM_ERROR, 502",
            "504, UPSTREAM_ERROR, 502",
            "529, UPSTREAM_ERROR, 502",
            "418, UPSTREAM_ERROR, 502"})
    void fromStatus_mapsStatusTable(int upstream, ErrorKind kind, int gatewayStatus) {
        GatewayException e = status(upstream);
        assertEquals(kind, e.kind());
        assertEquals(gatewayStatus, e.status());
        assertTrue(e.getMessage().contains("'openai'"), e.getMessage());
        assertEquals(-1, e.retryAfterSeconds(), "no Retry-After without a header");
    }

    @Test
    void fromStatus_404NamesModelParam() {
        assertEquals("model", status(404).param());
        assertEquals("model_not_found", status(404).code());
    }

    @Test
    void fromStatus_invalidRequestPassesSanitizedParamAndCodeButNotMessage() {
        String upstream = """
                {"error": {"message": "Invalid 'messages[1].content': the key %s was found in your prompt",
                           "type": "invalid_request_error", "param": "messages[1].content",
                           "code": "context_length_exceeded"}}""".formatted(SECRET);
        for (int s : new int[] {400, 422}) {
            GatewayException e = UpstreamErrors.fromStatus("openai", s, null, null, body(upstream), NOW);
            assertEquals(ErrorKind.UPSTREAM_INVALID_REQUEST, e.kind());
            assertEquals(400, e.status());
            assertEquals("messages[1].content", e.param());
            assertEquals("context_length_exceeded", e.code());
            assertNoSecret(e);
            assertFalse(e.getMessage().contains("was found in your prompt"), e.getMessage());
            assertTrue(e.getMessage().contains("HTTP " + s), e.getMessage());
        }
    }

    @Test
    void fromStatus_invalidRequestDropsParamAndCodeThatAreNotKnownIdentifiers() {
        String upstream = """
                {"error": {"message": "%s", "param": "sk_proj_secret", "code": "%s"}}""".formatted(SECRET, SECRET);
        GatewayException e = UpstreamErrors.fromStatus("openai", 400, null, null, body(upstream), NOW);
        assertNull(e.param(), "an identifier-shaped value that is not a request field is dropped");
        assertEquals("upstream_invalid_request", e.code());
        assertNoSecret(e);
    }

    @Test
    void fromStatus_invalidRequestDropsParamWithWrongShape() {
        String upstream = """
                {"error": {"param": "messages[0].content; DROP TABLE", "code": "invalid_value"}}""";
        GatewayException e = UpstreamErrors.fromStatus("openai", 400, null, null, body(upstream), NOW);
        assertNull(e.param());
        assertEquals("invalid_value", e.code());
    }

    @Test
    void fromStatus_invalidRequestWithNonJsonOrNonObjectBodyKeepsDefaults() {
        for (String b : new String[] {"<html>" + SECRET + "</html>", "[]", "{\"error\": \"" + SECRET + "\"}", ""}) {
            GatewayException e = UpstreamErrors.fromStatus("openai", 400, null, null, body(b), NOW);
            assertEquals(ErrorKind.UPSTREAM_INVALID_REQUEST, e.kind());
            assertNull(e.param());
            assertEquals("upstream_invalid_request", e.code());
            assertNoSecret(e);
        }
    }

    @Test
    void fromStatus_paramAndCodeOnlyForInvalidRequests() {
        String upstream = """
                {"error": {"message": "%s", "param": "model", "code": "invalid_value"}}""".formatted(SECRET);
        GatewayException e = UpstreamErrors.fromStatus("openai", 500, null, null, body(upstream), NOW);
        assertEquals(ErrorKind.UPSTREAM_ERROR, e.kind());
        assertNull(e.param());
        assertEquals("upstream_error", e.code());
        assertNoSecret(e);
    }

    @Test
    void fromStatus_upstreamErrorMessagesNeverCopied() {
        String upstream = """
                {"error": {"message": "Incorrect API key provided: %s", "type": "invalid_request_error",
                           "code": "invalid_api_key"}}""".formatted(SECRET);
        for (int s : new int[] {400, 401, 403, 404, 408, 429, 500, 503}) {
            assertNoSecret(UpstreamErrors.fromStatus("openai", s, null, null, body(upstream), NOW));
        }
    }

    @Test
    void fromStatus_rateLimitedRetryAfterSeconds() {
        GatewayException e = UpstreamErrors.fromStatus("openai", 429, "7", null, null, NOW);
        assertEquals(ErrorKind.RATE_LIMITED, e.kind());
        assertEquals(7, e.retryAfterSeconds());
    }

    @Test
    void fromStatus_rateLimitedRetryAfterHttpDateRelativeToNow() {
        GatewayException e = UpstreamErrors.fromStatus("openai", 429, "Wed, 01 Jan 2025 00:00:30 GMT", null, null,
                NOW);
        assertEquals(30, e.retryAfterSeconds());
        GatewayException later = UpstreamErrors.fromStatus("openai", 429, "Wed, 01 Jan 2025 00:00:30 GMT", null,
                null, NOW.plusSeconds(10));
        assertEquals(20, later.retryAfterSeconds(), "the date is read relative to the injected now");
    }

    @Test
    void fromStatus_rateLimitedRetryAfterDateInThePastIsZero() {
        GatewayException e = UpstreamErrors.fromStatus("openai", 429, "Tue, 31 Dec 2024 23:59:00 GMT", null, null,
                NOW);
        assertEquals(0, e.retryAfterSeconds());
    }

    @Test
    void fromStatus_rateLimitedRetryAfterMsIsRoundedUp() {
        assertEquals(2, UpstreamErrors.fromStatus("openai", 429, null, "1500", null, NOW).retryAfterSeconds());
        assertEquals(1, UpstreamErrors.fromStatus("openai", 429, null, "1", null, NOW).retryAfterSeconds());
    }

    @Test
    void fromStatus_retryAfterMsWinsOverRetryAfter() {
        assertEquals(2, UpstreamErrors.fromStatus("openai", 429, "60", "1500", null, NOW).retryAfterSeconds());
        assertEquals(60, UpstreamErrors.fromStatus("openai", 429, "60", "soon", null, NOW).retryAfterSeconds(),
                "an unreadable retry-after-ms falls back to Retry-After");
    }

    @Test
    void fromStatus_retryAfterIsClampedAndGarbageIgnored() {
        assertEquals(3600, UpstreamErrors.fromStatus("openai", 429, "999999", null, null, NOW).retryAfterSeconds());
        assertEquals(-1, UpstreamErrors.fromStatus("openai", 429, "whenever", null, null, NOW).retryAfterSeconds());
        assertEquals(-1, UpstreamErrors.fromStatus("openai", 429, "  ", null, null, NOW).retryAfterSeconds());
    }

    @Test
    void fromStatus_529IsAnOverloadedUpstream_retriableWithItsRetryAfter() {
        GatewayException overloaded = UpstreamErrors.fromStatus("anthropic", 529, "11", null,
                body("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"" + SECRET
                        + "\"}}"), NOW);
        assertEquals(ErrorKind.UPSTREAM_ERROR, overloaded.kind());
        assertEquals(502, overloaded.status());
        assertTrue(overloaded.kind().retriable());
        assertEquals("upstream_error", overloaded.code());
        assertEquals(11, overloaded.retryAfterSeconds());
        assertTrue(overloaded.getMessage().contains("overloaded"), overloaded.getMessage());
        assertNoSecret(overloaded);
    }

    @Test
    void fromStatus_503PassesRetryAfterButOther5xxDoNot() {
        GatewayException unavailable = UpstreamErrors.fromStatus("openai", 503, "7", null, null, NOW);
        assertEquals(ErrorKind.UPSTREAM_ERROR, unavailable.kind());
        assertEquals(7, unavailable.retryAfterSeconds());
        assertEquals(-1, UpstreamErrors.fromStatus("openai", 500, "7", null, null, NOW).retryAfterSeconds());
    }

    @Test
    void map_connectExceptionIsUpstreamUnavailable() {
        ConnectException cause = new ConnectException("Connection refused: " + SECRET);
        GatewayException e = UpstreamErrors.map("openai", cause);
        assertEquals(ErrorKind.UPSTREAM_ERROR, e.kind());
        assertEquals(502, e.status());
        assertEquals("upstream_unavailable", e.code());
        assertSame(cause, e.getCause(), "the cause is kept for logs");
        assertNoSecret(e);
    }

    @Test
    void map_connectTimeoutIsUpstreamUnavailable() {
        GatewayException e = UpstreamErrors.map("openai", new HttpConnectTimeoutException("connect timed out"));
        assertEquals(ErrorKind.UPSTREAM_ERROR, e.kind());
        assertEquals("upstream_unavailable", e.code());
    }

    @Test
    void map_timeoutsAreUpstreamTimeout() {
        for (Throwable t : new Throwable[] {new HttpTimeoutException("request timed out " + SECRET),
                new TimeoutException("timed out " + SECRET)}) {
            GatewayException e = UpstreamErrors.map("openai", t);
            assertEquals(ErrorKind.UPSTREAM_TIMEOUT, e.kind(), t.toString());
            assertEquals(504, e.status());
            assertEquals("upstream_timeout", e.code());
            assertSame(t, e.getCause());
            assertNoSecret(e);
        }
    }

    @Test
    void map_executionExceptionIsUnwrapped() {
        IOException io = new IOException("stream reset " + SECRET);
        GatewayException e = UpstreamErrors.map("openai", new ExecutionException(io));
        assertEquals(ErrorKind.UPSTREAM_ERROR, e.kind());
        assertEquals("upstream_error", e.code());
        assertSame(io, e.getCause());
        assertNoSecret(e);
    }

    @Test
    void map_nestedCompletionAndExecutionExceptionsAreUnwrapped() {
        ConnectException refused = new ConnectException("refused");
        GatewayException e = UpstreamErrors.map("openai",
                new CompletionException(new ExecutionException(refused)));
        assertEquals("upstream_unavailable", e.code());
        assertSame(refused, e.getCause());

        HttpTimeoutException timeout = new HttpTimeoutException("slow");
        assertEquals(ErrorKind.UPSTREAM_TIMEOUT,
                UpstreamErrors.map("openai", new CompletionException(timeout)).kind());
    }

    @Test
    void map_runtimeExceptionIsInternal() {
        IllegalStateException bug = new IllegalStateException("bug with " + SECRET);
        GatewayException e = UpstreamErrors.map("openai", bug);
        assertEquals(ErrorKind.INTERNAL, e.kind());
        assertEquals(500, e.status());
        assertSame(bug, e.getCause());
        assertNoSecret(e);
    }

    @Test
    void map_gatewayExceptionPassesThrough() {
        GatewayException original = GatewayException.of(ErrorKind.RATE_LIMITED, "slow down").withRetryAfter(3);
        assertSame(original, UpstreamErrors.map("openai", original));
        assertSame(original, UpstreamErrors.map("openai", new ExecutionException(original)));
    }

    @Test
    void map_interruptedIsTimeoutAndRestoresInterruptFlag() {
        try {
            GatewayException e = UpstreamErrors.map("openai", new InterruptedException());
            assertEquals(ErrorKind.UPSTREAM_TIMEOUT, e.kind());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void retryAfterSeconds_absentIsMinusOne() {
        assertEquals(-1, UpstreamErrors.retryAfterSeconds(null, null, NOW));
        assertEquals(7, UpstreamErrors.retryAfterSeconds("7", null, NOW));
        assertEquals(2, UpstreamErrors.retryAfterSeconds(null, "1500", NOW));
        assertEquals(30, UpstreamErrors.retryAfterSeconds("Wed, 01 Jan 2025 00:00:30 GMT", null, NOW));
    }
}
