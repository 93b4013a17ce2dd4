package io.switchboard.core.provider;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.stream.StreamAssembler;
import io.switchboard.core.stream.StreamResult;
import io.switchboard.core.stream.StreamSink;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatChoice;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.json.ChatJson;
import io.switchboard.shared.json.ChatRequestReader;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every provider owes the gateway, whatever its wire format: a plain answer, the same answer streamed (its
 * chunks assemble into it), forced tool calls, each class of upstream failure in the right place of the taxonomy,
 * timeouts before and during a stream, truncated and failed streams, usage, and no credential or prompt in any
 * error. A provider's test extends this class, starts a fake upstream speaking the provider's own wire format on
 * loopback before each test (JUnit runs the subclass's {@code @BeforeEach} after this class's, of which there are
 * none) and implements the hooks: they say what the upstream answers next in neutral terms ("a text", "a tool call",
 * "a rate limit") and each fake translates that into its format. Hooks apply to every following request, whole or
 * streamed, until the next hook call; the fake decides the form from the request (a stream when it asks for one).
 */
public abstract class ProviderContract {
    /** The credential the provider under test is configured with: it must never appear in an error. */
    protected static final String SECRET = "sk-contract-5f2a9c7e1d";
    /** Part of every prompt sent: it must never appear in an error either. */
    protected static final String PROMPT = "my PIN is 4321";
    /** The model id every call names. */
    protected static final String MODEL = "contract-model";
    /** The tool of the tool scenarios. */
    protected static final String TOOL = "get_weather";
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    /** Upstream failures by what they mean, not by one provider's status codes. */
    protected enum Failure {
        /** The upstream refuses the request as invalid. */
        INVALID_REQUEST(ErrorKind.UPSTREAM_INVALID_REQUEST),
        /** The upstream refuses the gateway's credential. */
        AUTHENTICATION(ErrorKind.UPSTREAM_AUTHENTICATION),
        /** The credential may not use this model or operation. */
        PERMISSION(ErrorKind.UPSTREAM_AUTHENTICATION),
        /** The upstream does not know the model. */
        NOT_FOUND(ErrorKind.MODEL_NOT_FOUND),
        /** The upstream asks to slow down (with a Retry-After of 7 seconds). */
        RATE_LIMITED(ErrorKind.RATE_LIMITED),
        /** The upstream failed. */
        SERVER_ERROR(ErrorKind.UPSTREAM_ERROR),
        /** The upstream is overloaded. */
        OVERLOADED(ErrorKind.UPSTREAM_ERROR);

        private final ErrorKind expected;

        Failure(ErrorKind expected) {
            this.expected = expected;
        }
    }

    // ---------------------------------------------------------------- hooks

    /** The provider under test: its upstream is the fake, its credential {@link #SECRET}. */
    protected abstract ChatProvider provider();

    /** Next answers: {@code text} with these token counts, whole or streamed in several pieces. */
    protected abstract void answerText(String text, int promptTokens, int completionTokens);

    /**
     * Next answers: one call of tool {@code name} with id {@code id} and arguments {@code argumentsJson} (a JSON
     * object), and no text; streamed with the arguments in several fragments.
     */
    protected abstract void answerToolCall(String id, String name, String argumentsJson);

    /**
     * Next answers: the upstream's own error response for {@code failure}, its message {@code message} (which quotes
     * the prompt and the credential, as upstream messages may), with a Retry-After of {@code retryAfterSeconds}
     * when it is not negative.
     */
    protected abstract void answerFailure(Failure failure, String message, long retryAfterSeconds);

    /** Next answers: a text answer, but nothing (not even headers) before {@code delay}. */
    protected abstract void answerLate(Duration delay);

    /** Next streamed answers: a text answer in at least five events, {@code pause} between two events. */
    protected abstract void answerWithPauses(Duration pause);

    /** Next streamed answers: the first events of a text answer, then the body ends before the stream is complete. */
    protected abstract void answerCutShort();

    /**
     * Next streamed answers: the first events of a text answer, then the upstream's in-stream error for a failure on
     * its side, with message {@code message}.
     */
    protected abstract void answerStreamError(String message);

    /** The body of the last request the upstream received. */
    protected abstract JsonNode lastUpstreamRequest();

    /** The tool {@code upstreamRequest} forces: its name, {@code "*"} for "any tool", null when none is forced. */
    protected abstract String forcedTool(JsonNode upstreamRequest);

    // ---------------------------------------------------------------- helpers

    /** A call of {@code json} (a chat completions body) to {@link #MODEL}. */
    protected static ProviderCall call(String json, Duration timeout) {
        return new ProviderCall(ChatRequestReader.read(json.getBytes(StandardCharsets.UTF_8)), MODEL, timeout,
                "req-contract", System::nanoTime);
    }

    private static String request(String extra) {
        return "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"Weather in Paris? " + PROMPT + "\"}]"
                + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    private static String streamRequest(String extra) {
        return request("\"stream\":true,\"stream_options\":{\"include_usage\":true}" + (extra.isEmpty() ? "" : ","
                + extra));
    }

    private static final String TOOLS = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"" + TOOL + "\","
            + "\"description\":\"Current weather\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":"
            + "{\"type\":\"string\"}},\"required\":[\"city\"]}}}]";

    /** Chunks of a stream and what they assemble into. */
    private record Streamed(StreamResult result, List<JsonNode> chunks, ChatResponse assembled) {
    }

    private Streamed stream(String json) {
        return stream(call(json, TIMEOUT));
    }

    private Streamed stream(ProviderCall c) {
        List<JsonNode> chunks = new ArrayList<>();
        StreamAssembler assembler = new StreamAssembler();
        StreamResult r = provider().call(c, StreamSink.tee(StreamSink.chunks(b -> chunks.add(tree(b))), assembler));
        return new Streamed(r, chunks, assembler.result());
    }

    private GatewayException streamFails(ProviderCall c, List<JsonNode> chunks) {
        return assertThrows(GatewayException.class,
                () -> provider().call(c, StreamSink.chunks(b -> chunks.add(tree(b)))));
    }

    private static JsonNode tree(byte[] json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode tree(String json) {
        return tree(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Neither the credential nor the prompt anywhere in {@code e}: message, code, param, body, causes. */
    protected static void assertSafe(String scenario, GatewayException e) {
        String body = new String(ChatJson.writeError(e), StandardCharsets.UTF_8);
        List<org.junit.jupiter.api.function.Executable> checks = new ArrayList<>();
        for (String secret : List.of(SECRET, PROMPT)) {
            checks.add(() -> assertFalse(e.getMessage().contains(secret), scenario + ": message " + e.getMessage()));
            checks.add(() -> assertFalse(String.valueOf(e.code()).contains(secret), scenario + ": code"));
            checks.add(() -> assertFalse(String.valueOf(e.param()).contains(secret), scenario + ": param"));
            checks.add(() -> assertFalse(body.contains(secret), scenario + ": error body " + body));
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                String m = String.valueOf(t.getMessage());
                checks.add(() -> assertFalse(m.contains(secret), scenario + ": cause " + m));
            }
        }
        assertAll(checks);
    }

    // ---------------------------------------------------------------- scenarios

    @Test
    public void plainAnswer_isACompletionWithUsage() {
        answerText("Sunny, 18 °C in Paris.", 21, 9);

        ChatResponse r = provider().chat(call(request(""), TIMEOUT));

        assertFalse(r.id().isBlank());
        assertFalse(r.model().isBlank());
        assertEquals(1, r.choices().size());
        ChatChoice c = r.choices().get(0);
        assertEquals(0, c.index());
        assertEquals("assistant", c.message().role().wire());
        assertEquals("Sunny, 18 °C in Paris.", c.message().text());
        assertNull(c.message().toolCalls());
        assertEquals("stop", c.finishReason());
        assertEquals(21, r.usage().promptTokens());
        assertEquals(9, r.usage().completionTokens());
        assertEquals(30, r.usage().totalTokens());
    }

    @Test
    public void streamedAnswer_assemblesIntoThePlainAnswer() {
        answerText("Sunny, 18 °C in Paris. Light wind from the west.", 21, 12);
        ChatResponse plain = provider().chat(call(request(""), TIMEOUT));

        Streamed s = stream(streamRequest(""));

        assertNotNull(s.assembled(), "the stream is complete");
        assertEquals("assistant", s.chunks().get(0).path("choices").path(0).path("delta").path("role").asText(),
                "the first chunk names the role");
        assertTrue(s.chunks().size() >= 4, "role, at least two content pieces and a finish: " + s.chunks());
        for (JsonNode chunk : s.chunks()) {
            assertEquals("chat.completion.chunk", chunk.path("object").asText());
            assertEquals(plain.id(), chunk.path("id").asText());
        }
        assertEquals(plain.id(), s.assembled().id());
        assertEquals(plain.model(), s.assembled().model());
        assertEquals(plain.created(), s.assembled().created());
        ChatChoice p = plain.choices().get(0);
        ChatChoice a = s.assembled().choices().get(0);
        assertEquals(p.message().text(), a.message().text());
        assertEquals(p.finishReason(), a.finishReason());
        assertEquals("stop", s.result().finishReason());
        assertEquals(s.chunks().size(), s.result().chunks());
        for (var usage : List.of(s.result().usage(), s.assembled().usage())) {
            assertEquals(plain.usage().promptTokens(), usage.promptTokens());
            assertEquals(plain.usage().completionTokens(), usage.completionTokens());
            assertEquals(plain.usage().totalTokens(), usage.totalTokens());
        }
        JsonNode last = s.chunks().get(s.chunks().size() - 1);
        assertTrue(last.path("choices").isEmpty(), "the usage chunk comes last and has no choices: " + last);
        assertEquals(33, last.path("usage").path("total_tokens").asInt());
    }

    @Test
    public void streamWithoutIncludeUsage_hasNoUsageChunk() {
        answerText("Sunny.", 21, 2);

        Streamed s = stream(request("\"stream\":true"));

        assertNotNull(s.assembled());
        for (JsonNode chunk : s.chunks()) {
            assertFalse(chunk.path("usage").isObject(), "no usage without stream_options.include_usage: " + chunk);
            assertFalse(chunk.path("choices").isEmpty(), chunk::toString);
        }
    }

    @Test
    public void namedToolChoice_forcesTheTool_andItsCallComesBack() throws IOException {
        answerToolCall("call_7Qx9", TOOL, "{\"city\":\"Paris\",\"unit\":\"c\"}");
        String named = TOOLS + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"" + TOOL + "\"}}";

        ChatResponse r = provider().chat(call(request(named), TIMEOUT));

        assertEquals(TOOL, forcedTool(lastUpstreamRequest()));
        ChatChoice c = r.choices().get(0);
        assertEquals("tool_calls", c.finishReason());
        JsonNode call = c.message().toolCalls().get(0);
        assertEquals(1, c.message().toolCalls().size());
        assertEquals("call_7Qx9", call.path("id").asText());
        assertEquals("function", call.path("type").asText());
        assertEquals(TOOL, call.path("function").path("name").asText());
        assertEquals(tree("{\"city\":\"Paris\",\"unit\":\"c\"}"),
                Json.MAPPER.readTree(call.path("function").path("arguments").asText()));

        Streamed s = stream(streamRequest(named));

        assertEquals(TOOL, forcedTool(lastUpstreamRequest()));
        assertNotNull(s.assembled());
        ChatChoice a = s.assembled().choices().get(0);
        assertEquals("tool_calls", a.finishReason());
        assertEquals("tool_calls", s.result().finishReason());
        JsonNode streamed = a.message().toolCalls().get(0);
        assertEquals("call_7Qx9", streamed.path("id").asText());
        assertEquals(TOOL, streamed.path("function").path("name").asText());
        assertEquals(tree("{\"city\":\"Paris\",\"unit\":\"c\"}"),
                Json.MAPPER.readTree(streamed.path("function").path("arguments").asText()));
        long argumentChunks = s.chunks().stream().filter(ch -> ch.path("choices").path(0).path("delta")
                .path("tool_calls").path(0).path("function").path("arguments").asText("").length() > 0).count();
        assertTrue(argumentChunks >= 2, "the arguments arrive in fragments: " + s.chunks());
    }

    @Test
    public void requiredToolChoice_forcesSomeTool_autoForcesNone() {
        answerToolCall("call_8", TOOL, "{\"city\":\"Lyon\"}");

        provider().chat(call(request(TOOLS + ",\"tool_choice\":\"required\""), TIMEOUT));
        assertEquals("*", forcedTool(lastUpstreamRequest()));

        provider().chat(call(request(TOOLS + ",\"tool_choice\":\"auto\""), TIMEOUT));
        assertNull(forcedTool(lastUpstreamRequest()));

        provider().chat(call(request(TOOLS), TIMEOUT));
        assertNull(forcedTool(lastUpstreamRequest()));
    }

    @ParameterizedTest
    @EnumSource(Failure.class)
    public void upstreamFailure_mapsToItsErrorKind_wholeAndStreamed(Failure failure) {
        answerFailure(failure, "Request for key " + SECRET + " with prompt '" + PROMPT + "' failed", 7);

        GatewayException whole = assertThrows(GatewayException.class,
                () -> provider().chat(call(request(""), TIMEOUT)));
        List<JsonNode> chunks = new ArrayList<>();
        GatewayException streamed = streamFails(call(streamRequest(""), TIMEOUT), chunks);

        assertTrue(chunks.isEmpty(), "nothing reaches the caller from a failed response");
        for (GatewayException e : List.of(whole, streamed)) {
            assertEquals(failure.expected, e.kind(), failure + ": " + e.getMessage());
            assertEquals(failure.expected.status(), e.status());
            assertEquals(failure.expected.retriable(), e.kind().retriable());
            assertSafe(failure.name(), e);
            if (failure == Failure.RATE_LIMITED) {
                assertEquals(7, e.retryAfterSeconds(), "Retry-After is passed on");
            }
            if (failure == Failure.NOT_FOUND) {
                assertEquals("model", e.param());
            }
        }
    }

    @Test
    public void lateUpstream_timesOut_wholeAndStreamed() {
        answerLate(Duration.ofSeconds(2));

        long start = System.nanoTime();
        GatewayException whole = assertThrows(GatewayException.class,
                () -> provider().chat(call(request(""), Duration.ofMillis(300))));
        long wholeMs = (System.nanoTime() - start) / 1_000_000;
        start = System.nanoTime();
        GatewayException streamed = streamFails(call(streamRequest(""), Duration.ofMillis(300)), new ArrayList<>());
        long streamMs = (System.nanoTime() - start) / 1_000_000;

        for (GatewayException e : List.of(whole, streamed)) {
            assertEquals(ErrorKind.UPSTREAM_TIMEOUT, e.kind());
            assertEquals(504, e.status());
            assertSafe("timeout", e);
        }
        assertTrue(wholeMs >= 250 && wholeMs < 1500, "gave up at the 300 ms timeout: " + wholeMs + " ms");
        assertTrue(streamMs >= 250 && streamMs < 1500, "gave up at the 300 ms first-event bound: " + streamMs + " ms");
    }

    @Test
    public void silenceBetweenStreamEvents_overTheIdleTimeout_timesOut() {
        answerWithPauses(Duration.ofMillis(300));
        ProviderCall c = call(streamRequest(""), Duration.ofSeconds(2))
                .streaming(Duration.ofMillis(100), Long.MAX_VALUE, null, null);
        List<JsonNode> chunks = new ArrayList<>();

        long start = System.nanoTime();
        GatewayException e = streamFails(c, chunks);
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertEquals(ErrorKind.UPSTREAM_TIMEOUT, e.kind());
        assertTrue(chunks.size() <= 1, "gave up at the first silence, after " + chunks.size() + " chunks");
        assertTrue(elapsedMs < 1000, "gave up after the 100 ms idle timeout, took " + elapsedMs + " ms");
        assertSafe("idle", e);
    }

    @Test
    public void streamCutShort_isTruncated_neverComplete() {
        answerCutShort();
        List<JsonNode> chunks = new ArrayList<>();

        GatewayException e = streamFails(call(streamRequest(""), TIMEOUT), chunks);

        assertEquals(ErrorKind.STREAM_TRUNCATED, e.kind());
        assertEquals(502, e.status());
        assertFalse(chunks.isEmpty(), "the chunks before the cut were delivered");
        for (JsonNode chunk : chunks) {
            assertTrue(chunk.path("choices").path(0).path("finish_reason").isNull(),
                    "no finish reason is invented for a cut stream: " + chunk);
        }
        assertSafe("truncated", e);
    }

    @Test
    public void errorInsideTheStream_isARetriableUpstreamError() {
        answerStreamError("Overloaded while serving key " + SECRET + " and prompt " + PROMPT);
        List<JsonNode> chunks = new ArrayList<>();

        GatewayException e = streamFails(call(streamRequest(""), TIMEOUT), chunks);

        assertEquals(ErrorKind.UPSTREAM_ERROR, e.kind());
        assertEquals(502, e.status());
        assertEquals("upstream_stream_error", e.code());
        assertTrue(e.kind().retriable());
        assertFalse(chunks.isEmpty(), "the chunks before the error were delivered");
        assertSafe("stream error", e);
    }
}
