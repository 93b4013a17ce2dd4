package io.switchboard.core.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.stream.StreamAssembler;
import io.switchboard.core.stream.StreamResult;
import io.switchboard.core.stream.StreamSink;
import io.switchboard.shared.chat.ChatChoice;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.json.ChatRequestReader;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks the opt-in {@code *IT} tests run against a real provider API: a plain answer, a stream (with usage), and
 * a forced tool call, each asserted on the OpenAI-shaped result the gateway hands its callers. What a real model says
 * varies, so the checks are on shape (finish reasons, roles, usage, a parseable tool call), not on exact text.
 */
public final class LiveChecks {
    /** Generous: a real model's first answer can take seconds. */
    public static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static final String ASK = "{\"model\":\"it\",\"max_tokens\":64,\"temperature\":0,\"messages\":["
            + "{\"role\":\"user\",\"content\":\"Reply with the single word: pong\"}]%s}";
    private static final String TOOL = "get_weather";
    private static final String TOOLS = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"" + TOOL + "\","
            + "\"description\":\"The current weather in a city.\",\"parameters\":{\"type\":\"object\",\"properties\":"
            + "{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}],"
            + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"" + TOOL + "\"}}";

    private LiveChecks() {
    }

    private static ProviderCall call(String extra, String model) {
        return new ProviderCall(ChatRequestReader.read(ASK.formatted(extra).getBytes(StandardCharsets.UTF_8)), model,
                TIMEOUT, "it-1", System::nanoTime);
    }

    /** A whole answer: one assistant choice with text, {@code stop}, and counted tokens. */
    public static ChatResponse plain(ChatProvider provider, String model) {
        ChatResponse r = provider.chat(call("", model));
        assertEquals(1, r.choices().size(), r::toString);
        ChatChoice c = r.choices().get(0);
        assertEquals("stop", c.finishReason(), r::toString);
        assertNotNull(c.message().text(), r::toString);
        assertFalse(c.message().text().isBlank(), r::toString);
        assertTrue(c.message().text().toLowerCase(java.util.Locale.ROOT).contains("pong"), r::toString);
        assertUsage(r);
        return r;
    }

    /** A stream with {@code include_usage}: chunks in order, the same text assembled, {@code stop}, usage. */
    public static StreamResult stream(ChatProvider provider, String model) {
        List<JsonNode> chunks = new ArrayList<>();
        StreamAssembler assembler = new StreamAssembler();
        StreamResult r = provider.stream(call(",\"stream\":true,\"stream_options\":{\"include_usage\":true}", model),
                StreamSink.tee(StreamSink.chunks(b -> chunks.add(tree(new String(b, StandardCharsets.UTF_8)))),
                        assembler));
        String all = chunks.toString();
        assertTrue(chunks.size() >= 2, all);
        for (JsonNode c : chunks) {
            assertEquals("chat.completion.chunk", c.path("object").asText(), all);
        }
        assertEquals("assistant", chunks.get(0).path("choices").path(0).path("delta").path("role").asText(), all);
        assertEquals("stop", r.finishReason(), all);
        ChatResponse whole = assembler.result();
        assertNotNull(whole, all);
        assertTrue(whole.choices().get(0).message().text().toLowerCase(java.util.Locale.ROOT).contains("pong"), all);
        assertTrue(r.usage().promptTokens() > 0 && r.usage().completionTokens() > 0, all);
        JsonNode last = chunks.get(chunks.size() - 1);
        assertTrue(last.path("choices").isArray() && last.path("choices").isEmpty(),
                () -> "the usage chunk comes last, without choices: " + all);
        assertTrue(last.path("usage").path("total_tokens").asInt() > 0, all);
        return r;
    }

    /** A forced tool call: {@code tool_calls}, one call of the offered function with JSON arguments naming a city. */
    public static ChatResponse toolCall(ChatProvider provider, String model) {
        ChatResponse r = provider.chat(call(TOOLS, model));
        ChatChoice c = r.choices().get(0);
        assertEquals("tool_calls", c.finishReason(), r::toString);
        JsonNode calls = c.message().toolCalls();
        assertNotNull(calls, r::toString);
        assertEquals(1, calls.size(), r::toString);
        JsonNode call = calls.get(0);
        assertFalse(call.path("id").asText().isEmpty(), r::toString);
        assertEquals("function", call.path("type").asText(), r::toString);
        assertEquals(TOOL, call.path("function").path("name").asText(), r::toString);
        JsonNode args = tree(call.path("function").path("arguments").asText());
        assertTrue(args.path("city").isTextual(), r::toString);
        assertUsage(r);
        return r;
    }

    private static void assertUsage(ChatResponse r) {
        assertNotNull(r.usage(), r::toString);
        assertTrue(r.usage().promptTokens() > 0, r::toString);
        assertTrue(r.usage().completionTokens() > 0, r::toString);
        assertTrue(r.usage().totalTokens() >= r.usage().promptTokens() + r.usage().completionTokens(), r::toString);
    }

    private static JsonNode tree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
