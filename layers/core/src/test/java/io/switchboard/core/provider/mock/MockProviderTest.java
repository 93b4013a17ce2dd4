package io.switchboard.core.provider.mock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.Ticker;
import io.switchboard.core.provider.ProviderCall;
import io.switchboard.core.stream.StreamResult;
import io.switchboard.core.stream.StreamSink;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatChoice;
import io.switchboard.shared.chat.ChatRequest;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.config.ProviderType;
import io.switchboard.shared.json.ChatJson;
import io.switchboard.shared.json.ChatRequestReader;
import io.switchboard.shared.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MockProviderTest {
    private static final Instant NOW = Instant.parse("2026-11-23T07:30:00Z");
    private static final InstantSource CLOCK = InstantSource.fixed(NOW);
    private static final Duration TIMEOUT = Duration.ofSeconds(25);
    private static final String TOOLS = """
            [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}},
             {"type": "function", "function": {"name": "get_weather",
               "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]""";

    /** Time that only moves when the fake sleeper sleeps. */
    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
    private final Ticker ticker = nanos::get;
    private final List<Duration> slept = new ArrayList<>();
    private final Sleeper sleeper = d -> {
        slept.add(d);
        nanos.addAndGet(d.toNanos());
    };

    private MockProvider provider(ProviderConfig config) {
        return new MockProvider(config, CLOCK, sleeper);
    }

    private MockProvider provider() {
        return provider(ProviderConfig.mock("mock", Duration.ZERO));
    }

    private static ChatRequest request(String json) {
        return ChatRequestReader.read(json.getBytes(StandardCharsets.UTF_8));
    }

    private static ChatRequest userSays(String text) {
        return request("{\"model\": \"fast\", \"messages\": [{\"role\": \"user\", \"content\": "
                + Json.MAPPER.valueToTree(text) + "}]}");
    }

    private ProviderCall call(ChatRequest r) {
        return call(r, TIMEOUT);
    }

    private ProviderCall call(ChatRequest r, Duration timeout) {
        return new ProviderCall(r, "mock-1", timeout, "req-1", ticker);
    }

    private static String content(ChatResponse r, int choice) {
        return r.choices().get(choice).message().content().textValue();
    }

    private static JsonNode parse(byte[] json) throws Exception {
        return Json.MAPPER.readTree(json);
    }

    private List<JsonNode> stream(MockProvider p, ChatRequest r, StreamResult[] result) throws Exception {
        List<byte[]> raw = new ArrayList<>();
        result[0] = p.stream(call(r), StreamSink.chunks(raw::add));
        List<JsonNode> chunks = new ArrayList<>();
        for (byte[] b : raw) {
            chunks.add(parse(b));
        }
        return chunks;
    }

    @Test
    void chat_isDeterministic() {
        ChatRequest r = userSays("What is a Lambda layer?");
        byte[] first = ChatJson.writeResponse(provider().chat(call(r)));
        byte[] second = ChatJson.writeResponse(provider().chat(call(r)));
        assertArrayEquals(first, second, () -> new String(first, StandardCharsets.UTF_8) + "\nvs\n"
                + new String(second, StandardCharsets.UTF_8));
    }

    @Test
    void chat_responseIsAChatCompletion() throws Exception {
        JsonNode json = parse(ChatJson.writeResponse(provider().chat(call(userSays("hello there")))));
        assertEquals("chat.completion", json.path("object").asText());
        assertEquals(NOW.getEpochSecond(), json.path("created").asLong());
        assertEquals("mock-1", json.path("model").asText());
        assertTrue(json.path("id").asText().startsWith("chatcmpl-"), json.toString());
        assertEquals("assistant", json.at("/choices/0/message/role").asText());
        assertEquals("stop", json.at("/choices/0/finish_reason").asText());
    }

    @Test
    void chat_differentPromptsGiveDifferentText() {
        String a = content(provider().chat(call(userSays("Tell me about caching"))), 0);
        String b = content(provider().chat(call(userSays("Tell me about routing"))), 0);
        assertNotEquals(a, b);
    }

    @Test
    void chat_seedChangesTheAnswer() {
        ChatRequest one = request("""
                {"model": "fast", "seed": 1, "messages": [{"role": "user", "content": "same prompt"}]}""");
        ChatRequest two = request("""
                {"model": "fast", "seed": 2, "messages": [{"role": "user", "content": "same prompt"}]}""");
        assertNotEquals(content(provider().chat(call(one)), 0), content(provider().chat(call(two)), 0));
    }

    @Test
    void chat_answerQuotesStartOfLastUserMessage() {
        ChatRequest r = request("""
                {"model": "fast", "messages": [
                  {"role": "system", "content": "You are terse."},
                  {"role": "user", "content": "first question about apples"},
                  {"role": "assistant", "content": "An answer."},
                  {"role": "user", "content": "  Explain   cold starts of Java functions on AWS Lambda with SnapStart please now"}
                ]}""");
        String text = content(provider().chat(call(r)), 0);
        assertTrue(text.startsWith("Mock answer to: Explain cold starts of Java functions on AWS Lambda with "
                + "SnapStart please ..."), text);
        assertFalse(text.contains("apples"), text);
        assertFalse(text.contains("now"), "only the first 12 words are quoted: " + text);
    }

    @Test
    void chat_usageCountsArePositiveAndAddUp() {
        ChatResponse r = provider().chat(call(userSays("count my tokens please")));
        assertTrue(r.usage().promptTokens() > 0, r.usage().toString());
        assertTrue(r.usage().completionTokens() > 0, r.usage().toString());
        assertEquals(r.usage().promptTokens() + r.usage().completionTokens(), r.usage().totalTokens());
        assertEquals(content(r, 0).split(" ").length, r.usage().completionTokens(),
                "one word is one completion token");
    }

    @Test
    void chat_longerPromptCountsMoreTokens() {
        int shortPrompt = provider().chat(call(userSays("hi"))).usage().promptTokens();
        int longPrompt = provider().chat(call(userSays("hi ".repeat(200)))).usage().promptTokens();
        assertTrue(longPrompt > shortPrompt + 100, shortPrompt + " vs " + longPrompt);
    }

    @Test
    void chat_smallMaxTokensTruncatesWithFinishReasonLength() {
        ChatRequest r = request("""
                {"model": "fast", "max_tokens": 5,
                 "messages": [{"role": "user", "content": "please write a very long essay about gateways"}]}""");
        ChatResponse resp = provider().chat(call(r));
        assertEquals("length", resp.choices().get(0).finishReason());
        assertTrue(resp.usage().completionTokens() <= 5, resp.usage().toString());
        assertTrue(resp.usage().completionTokens() > 0, resp.usage().toString());
        assertEquals("Mock answer to: please write", content(resp, 0));
    }

    @Test
    void chat_maxCompletionTokensWinsOverMaxTokens() {
        ChatRequest r = request("""
                {"model": "fast", "max_tokens": 50, "max_completion_tokens": 3,
                 "messages": [{"role": "user", "content": "write a lot"}]}""");
        ChatResponse resp = provider().chat(call(r));
        assertEquals("length", resp.choices().get(0).finishReason());
        assertEquals(3, resp.usage().completionTokens());
    }

    @Test
    void chat_stopSequenceCutsTheAnswer() {
        ChatRequest r = request("""
                {"model": "fast", "stop": ["to:"],
                 "messages": [{"role": "user", "content": "anything"}]}""");
        ChatResponse resp = provider().chat(call(r));
        assertEquals("Mock answer ", content(resp, 0));
        assertEquals("stop", resp.choices().get(0).finishReason());
    }

    @Test
    void chat_nGivesThatManyChoices() {
        ChatRequest r = request("""
                {"model": "fast", "n": 3, "messages": [{"role": "user", "content": "give me options"}]}""");
        ChatResponse resp = provider().chat(call(r));
        assertEquals(3, resp.choices().size());
        int tokens = 0;
        for (int i = 0; i < 3; i++) {
            ChatChoice c = resp.choices().get(i);
            assertEquals(i, c.index());
            assertTrue(content(resp, i).startsWith("Mock answer to: give me options"), content(resp, i));
            tokens += content(resp, i).split(" ").length;
        }
        assertEquals(tokens, resp.usage().completionTokens(), "completion tokens cover every choice");
        assertEquals(1, slept.size(), "latency is simulated once per call, not per choice");
    }

    @Test
    void chat_forcedToolChoiceGivesToolCalls() {
        ChatRequest r = request("""
                {"model": "fast", "tools": %s,
                 "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
                 "messages": [{"role": "user", "content": "weather in Paris?"}]}""".formatted(TOOLS));
        ChatResponse resp = provider().chat(call(r));
        ChatChoice c = resp.choices().get(0);
        assertEquals("tool_calls", c.finishReason());
        assertNull(c.message().content());
        JsonNode calls = c.message().toolCalls();
        assertEquals(1, calls.size());
        assertEquals("function", calls.get(0).path("type").asText());
        assertEquals("get_weather", calls.get(0).at("/function/name").asText());
        assertTrue(calls.get(0).path("id").asText().startsWith("call_"));
        assertTrue(calls.get(0).at("/function/arguments").isTextual(), "arguments are a JSON string");
    }

    @Test
    void chat_toolChoiceRequiredCallsFirstTool() {
        ChatRequest r = request("""
                {"model": "fast", "tools": %s, "tool_choice": "required",
                 "messages": [{"role": "user", "content": "do something"}]}""".formatted(TOOLS));
        ChatChoice c = provider().chat(call(r)).choices().get(0);
        assertEquals("tool_calls", c.finishReason());
        assertEquals("lookup", c.message().toolCalls().get(0).at("/function/name").asText());
    }

    @Test
    void chat_toolChoiceAutoOrNoToolsGivesText() {
        ChatRequest auto = request("""
                {"model": "fast", "tools": %s, "tool_choice": "auto",
                 "messages": [{"role": "user", "content": "weather?"}]}""".formatted(TOOLS));
        ChatChoice c = provider().chat(call(auto)).choices().get(0);
        assertEquals("stop", c.finishReason());
        assertNull(c.message().toolCalls());

        // the reader refuses this combination; a provider must still not invent a tool call from it
        ChatRequest base = userSays("weather?");
        JsonNode forced = Json.MAPPER.createObjectNode().put("type", "function")
                .set("function", Json.MAPPER.createObjectNode().put("name", "get_weather"));
        ChatRequest forcedWithoutTools = new ChatRequest(base.model(), base.messages(), null, null, null, null,
                List.of(), null, null, null, null, forced, null, false, null, Map.of());
        ChatChoice noTool = provider().chat(call(forcedWithoutTools)).choices().get(0);
        assertEquals("stop", noTool.finishReason());
        assertNull(noTool.message().toolCalls());
    }

    @Test
    void stream_chunksConcatenateToNonStreamContent() throws Exception {
        ChatRequest r = request("""
                {"model": "fast", "stream": true,
                 "messages": [{"role": "user", "content": "stream me a story about a switchboard operator"}]}""");
        ChatResponse whole = provider().chat(call(r));
        StreamResult[] result = new StreamResult[1];
        List<JsonNode> chunks = stream(provider(), r, result);

        assertTrue(chunks.size() > 3, "the answer comes in several chunks: " + chunks.size());
        StringBuilder text = new StringBuilder();
        String finish = null;
        for (JsonNode chunk : chunks) {
            assertEquals("chat.completion.chunk", chunk.path("object").asText(), chunk.toString());
            assertEquals(whole.id(), chunk.path("id").asText());
            assertEquals(NOW.getEpochSecond(), chunk.path("created").asLong());
            assertEquals("mock-1", chunk.path("model").asText());
            assertEquals(1, chunk.path("choices").size(), chunk.toString());
            assertFalse(chunk.has("usage"), "no usage unless asked for");
            JsonNode choice = chunk.path("choices").get(0);
            assertEquals(0, choice.path("index").asInt());
            text.append(choice.path("delta").path("content").asText(""));
            if (!choice.path("finish_reason").isNull()) {
                assertNull(finish, "one finish_reason per choice");
                finish = choice.path("finish_reason").asText();
            }
        }
        assertEquals("assistant", chunks.get(0).at("/choices/0/delta/role").asText());
        assertEquals(content(whole, 0), text.toString());
        assertEquals("stop", finish);
        assertFalse(chunks.get(chunks.size() - 1).at("/choices/0/finish_reason").isNull(),
                "the finish reason comes last");
        assertEquals(chunks.size(), result[0].chunks());
        assertEquals("stop", result[0].finishReason());
        assertEquals(whole.usage(), result[0].usage());
    }

    @Test
    void stream_includeUsageAddsFinalUsageChunkWithoutChoices() throws Exception {
        ChatRequest r = request("""
                {"model": "fast", "stream": true, "stream_options": {"include_usage": true},
                 "messages": [{"role": "user", "content": "usage please"}]}""");
        ChatResponse whole = provider().chat(call(r));
        StreamResult[] result = new StreamResult[1];
        List<JsonNode> chunks = stream(provider(), r, result);

        JsonNode last = chunks.get(chunks.size() - 1);
        assertEquals("chat.completion.chunk", last.path("object").asText());
        assertTrue(last.path("choices").isArray());
        assertEquals(0, last.path("choices").size(), last.toString());
        assertEquals(whole.usage().promptTokens(), last.at("/usage/prompt_tokens").asInt());
        assertEquals(whole.usage().completionTokens(), last.at("/usage/completion_tokens").asInt());
        assertEquals(whole.usage().totalTokens(), last.at("/usage/total_tokens").asInt());
        for (JsonNode c : chunks.subList(0, chunks.size() - 1)) {
            assertFalse(c.has("usage"), "only the final chunk carries usage");
        }
        assertEquals(chunks.size(), result[0].chunks());
    }

    @Test
    void stream_forcedToolChoiceStreamsToolCalls() throws Exception {
        ChatRequest r = request("""
                {"model": "fast", "stream": true, "tools": %s,
                 "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
                 "messages": [{"role": "user", "content": "weather in Oslo?"}]}""".formatted(TOOLS));
        StreamResult[] result = new StreamResult[1];
        List<JsonNode> chunks = stream(provider(), r, result);
        JsonNode toolCalls = null;
        for (JsonNode c : chunks) {
            JsonNode tc = c.at("/choices/0/delta/tool_calls");
            if (!tc.isMissingNode()) {
                toolCalls = tc;
            }
        }
        assertTrue(toolCalls != null && toolCalls.isArray(), chunks.toString());
        assertEquals(0, toolCalls.get(0).path("index").asInt());
        assertEquals("get_weather", toolCalls.get(0).at("/function/name").asText());
        assertEquals("tool_calls", chunks.get(chunks.size() - 1).at("/choices/0/finish_reason").asText());
        assertEquals("tool_calls", result[0].finishReason());
    }

    @Test
    void stream_nChoicesAreIndexed() throws Exception {
        ChatRequest r = request("""
                {"model": "fast", "stream": true, "n": 2,
                 "messages": [{"role": "user", "content": "two please"}]}""");
        ChatResponse whole = provider().chat(call(r));
        StreamResult[] result = new StreamResult[1];
        List<JsonNode> chunks = stream(provider(), r, result);
        StringBuilder[] texts = {new StringBuilder(), new StringBuilder()};
        for (JsonNode c : chunks) {
            JsonNode choice = c.path("choices").get(0);
            texts[choice.path("index").asInt()].append(choice.path("delta").path("content").asText(""));
        }
        assertEquals(content(whole, 0), texts[0].toString());
        assertEquals(content(whole, 1), texts[1].toString());
    }

    @Test
    void latency_sleeperGetsConfiguredLatencyAndUpstreamTimeIsMeasured() {
        MockProvider p = provider(ProviderConfig.mock("mock", Duration.ofMillis(250)));
        ProviderCall c = call(userSays("slow please"));
        p.chat(c);
        assertEquals(List.of(Duration.ofMillis(250)), slept);
        assertEquals(Duration.ofMillis(250).toNanos(), c.upstreamNanos());
    }

    @Test
    void latency_streamAlsoSleepsOnceAndCountsUpstreamTime() {
        MockProvider p = provider(ProviderConfig.mock("mock", Duration.ofMillis(75)));
        ProviderCall c = call(request("""
                {"model": "fast", "stream": true, "messages": [{"role": "user", "content": "slow stream"}]}"""));
        p.stream(c, StreamSink.chunks(chunk -> nanos.addAndGet(1_000_000))); // time spent in the sink is not upstream time
        assertEquals(List.of(Duration.ofMillis(75)), slept);
        assertEquals(Duration.ofMillis(75).toNanos(), c.upstreamNanos());
    }

    @Test
    void latency_zeroLatencyStillGoesThroughSleeper() {
        ProviderCall c = call(userSays("fast"));
        provider().chat(c);
        assertEquals(List.of(Duration.ZERO), slept);
        assertEquals(0, c.upstreamNanos());
    }

    @Test
    void latency_longerThanTimeoutWaitsTimeoutThenTimesOut() {
        MockProvider p = provider(ProviderConfig.mock("mock", Duration.ofSeconds(30)));
        ProviderCall c = call(userSays("too slow"), Duration.ofSeconds(2));
        GatewayException e = assertThrows(GatewayException.class, () -> p.chat(c));
        assertEquals(ErrorKind.UPSTREAM_TIMEOUT, e.kind());
        assertEquals(504, e.status());
        assertEquals(List.of(Duration.ofSeconds(2)), slept, "waits no longer than the call allows");
        assertEquals(Duration.ofSeconds(2).toNanos(), c.upstreamNanos());
    }

    @Test
    void latency_interruptedSleepIsMappedAndKeepsInterruptFlag() {
        MockProvider p = new MockProvider(ProviderConfig.mock("mock", Duration.ofMillis(10)), CLOCK, d -> {
            throw new InterruptedException("stop");
        });
        try {
            GatewayException e = assertThrows(GatewayException.class, () -> p.chat(call(userSays("x"))));
            assertEquals(ErrorKind.UPSTREAM_TIMEOUT, e.kind());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void defaults_providerDefaultMaxTokensTruncatesWhenRequestHasNoLimit() {
        ProviderConfig config = new ProviderConfig("mock", ProviderType.MOCK, null, null, null, 5, Duration.ZERO,
                Map.of());
        ChatRequest r = userSays("a prompt long enough that the answer would exceed five tokens for sure");
        ProviderCall c = call(r);
        ChatResponse resp = provider(config).chat(c);
        assertEquals("length", resp.choices().get(0).finishReason());
        assertTrue(resp.usage().completionTokens() <= 5, resp.usage().toString());
        assertEquals(5, c.request().maxTokens(), "the provider default is applied to the call's request");
        assertNull(r.maxTokens(), "the caller's request record is not mutated");
    }

    @Test
    void defaults_requestLimitWinsOverProviderDefault() {
        ProviderConfig config = new ProviderConfig("mock", ProviderType.MOCK, null, null, null, 5, Duration.ZERO,
                Map.of());
        ChatRequest r = request("""
                {"model": "fast", "max_tokens": 500,
                 "messages": [{"role": "user", "content": "short"}]}""");
        ChatResponse resp = provider(config).chat(call(r));
        assertEquals("stop", resp.choices().get(0).finishReason());
        assertTrue(resp.usage().completionTokens() > 5, resp.usage().toString());
    }

    @Test
    void defaults_streamAlsoHonoursProviderDefaultMaxTokens() throws Exception {
        ProviderConfig config = new ProviderConfig("mock", ProviderType.MOCK, null, null, null, 4, Duration.ZERO,
                Map.of());
        ChatRequest r = request("""
                {"model": "fast", "stream": true, "messages": [{"role": "user", "content": "tell me everything"}]}""");
        StreamResult[] result = new StreamResult[1];
        stream(provider(config), r, result);
        assertEquals("length", result[0].finishReason());
        assertEquals(4, result[0].usage().completionTokens());
    }
}
