package io.switchboard.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.bench.harness.MockUpstreamBodies;
import io.switchboard.core.provider.anthropic.AnthropicTranslation;
import io.switchboard.shared.chat.ChatRequest;
import io.switchboard.shared.json.ChatRequestReader;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the {@code anthropic} provider adds to the request path: per request, an already parsed OpenAI request
 * translated into the Messages request body ({@code simple}: system + one user message of ~200 B or ~10 KB;
 * {@code tools}: a tool round trip with two tools, an image and merged turns); per chunk, one Messages stream event
 * (already framed, its data as the SSE decoder returns it) translated into the OpenAI chunk the caller receives. For
 * scale, {@code openAiChunkParse} is the one parse the openai provider spends on each chunk it relays.
 *
 * <pre>java -cp bench/target/switchboard-bench.jar org.openjdk.jmh.Main AnthropicTranslationBench</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AnthropicTranslationBench {
    private static final String TOOLS_REQUEST = """
            {"model": "claude", "temperature": 0.2, "max_tokens": 512, "user": "u-1", "parallel_tool_calls": false,
             "messages": [
               {"role": "system", "content": "You are a weather assistant."},
               {"role": "developer", "content": [{"type": "text", "text": "Use metric units."}]},
               {"role": "user", "content": [{"type": "text", "text": "Weather in Paris and the time? See map."},
                 {"type": "image_url", "image_url": {"url": "https://example.com/map.png"}}]},
               {"role": "assistant", "content": "", "tool_calls": [
                 {"id": "toolu_01A", "type": "function",
                  "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\", \\"unit\\": \\"c\\"}"}},
                 {"id": "toolu_01B", "type": "function", "function": {"name": "get_time", "arguments": "{}"}}]},
               {"role": "tool", "tool_call_id": "toolu_01A", "content": "18 C, sunny"},
               {"role": "tool", "tool_call_id": "toolu_01B", "content": "10:00"},
               {"role": "user", "content": "And tomorrow?"}],
             "tools": [
               {"type": "function", "function": {"name": "get_weather", "description": "Weather for a city",
                 "parameters": {"type": "object", "properties": {"city": {"type": "string"},
                   "unit": {"type": "string", "enum": ["c", "f"]}}, "required": ["city"]}}},
               {"type": "function", "function": {"name": "get_time", "description": "Local time"}}],
             "tool_choice": "auto"}""";
    private static final String TEXT_DELTA = "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
            + "{\"type\":\"text_delta\",\"text\":\" the benefits of an LLM gateway\"}}";
    private static final String JSON_DELTA = "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":"
            + "{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\": \\\"Par\"}}";
    private static final String OPENAI_CHUNK = "{\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":"
            + "\"chat.completion.chunk\",\"created\":1741570283,\"model\":\"gpt-4o-mini-2024-07-18\","
            + "\"system_fingerprint\":\"fp_06737a9306\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
            + "\" the benefits of an LLM gateway\"},\"logprobs\":null,\"finish_reason\":null}]}";

    /** A parsed request of each shape. */
    @State(Scope.Benchmark)
    public static class Requests {
        @Param({"simple-200", "simple-10000", "tools"})
        public String shape;

        ChatRequest request;

        @Setup
        public void setUp() {
            String body = shape.equals("tools") ? TOOLS_REQUEST
                    : MockUpstreamBodies.request(Integer.parseInt(shape.substring("simple-".length())));
            request = ChatRequestReader.read(body.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A stream translator past its {@code message_start}, inside a tool call block. */
    @State(Scope.Thread)
    public static class Chunks {
        AnthropicTranslation.Stream stream;
        byte[] last;

        @Setup
        public void setUp() {
            stream = AnthropicTranslation.stream(false, json -> last = json);
            stream.accept("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":"
                    + "\"msg_01XFDUDYJgAACzvnptvVoYEL\",\"type\":\"message\",\"role\":\"assistant\",\"model\":"
                    + "\"claude-sonnet-4-5-20250929\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
                    + "\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}");
            stream.accept("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":"
                    + "{\"type\":\"tool_use\",\"id\":\"toolu_01A\",\"name\":\"get_weather\",\"input\":{}}}");
        }
    }

    @Benchmark
    public byte[] requestToMessages(Requests r) {
        return AnthropicTranslation.request(r.request, "claude-sonnet-4-5", true);
    }

    @Benchmark
    public byte[] textDeltaToChunk(Chunks c) {
        c.stream.accept("content_block_delta", TEXT_DELTA);
        return c.last;
    }

    @Benchmark
    public byte[] toolArgumentsDeltaToChunk(Chunks c) {
        c.stream.accept("content_block_delta", JSON_DELTA);
        return c.last;
    }

    @Benchmark
    public JsonNode openAiChunkParse() throws IOException {
        return Json.MAPPER.readTree(OPENAI_CHUNK);
    }
}
