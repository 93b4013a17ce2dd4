package io.switchboard.core.provider.bedrock;

import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.blockStop;
import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.exception;
import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.messageStart;
import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.messageStop;
import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.metadata;
import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.text;
import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.textStream;
import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.toolInput;
import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.toolStart;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.Ticker;
import io.switchboard.core.aws.BedrockRuntimeClients;
import io.switchboard.core.provider.ProviderCall;
import io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime;
import io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.Frame;
import io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.Recorded;
import io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.Reply;
import io.switchboard.core.stream.StreamAssembler;
import io.switchboard.core.stream.StreamResult;
import io.switchboard.core.stream.StreamSink;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.chat.ChatRequest;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.json.ChatJson;
import io.switchboard.shared.json.ChatRequestReader;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link BedrockProvider} against a loopback Bedrock Runtime ({@link FakeBedrockRuntime}) through the real SDK
 * clients: what Bedrock receives, what the caller gets back, whole and streamed, and every way it fails. Written as
 * one scenario per method so it can extend the provider contract suite when that exists.
 */
class BedrockProviderTest {
    private static final String MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0";
    private static final String PROMPT = "PROMPT-7f1c: what is the weather in Paris?";
    /** Generous: the first stream of a JVM loads the SDK's and Netty's classes inside the first-event bound. */
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private static BedrockRuntimeClients clients;
    private FakeBedrockRuntime fake;
    private BedrockProvider provider;

    @BeforeAll
    static void clients() {
        clients = new BedrockRuntimeClients("us-east-1", null, Ticker.system(), null);
    }

    @AfterAll
    static void closeClients() {
        clients.close();
    }

    @BeforeEach
    void start() throws IOException {
        fake = FakeBedrockRuntime.start();
        provider = provider("eu-west-1", fake.endpoint());
    }

    @AfterEach
    void stop() {
        fake.close();
        assertTrue(fake.failures().isEmpty(), () -> "fake failed: " + fake.failures());
    }

    private static BedrockProvider provider(String region, URI endpoint) {
        return new BedrockProvider(ProviderConfig.bedrock("bedrock", region, endpoint, TIMEOUT), clients,
                InstantSource.fixed(NOW));
    }

    private static ChatRequest request(String json) {
        return ChatRequestReader.read(json.getBytes(StandardCharsets.UTF_8));
    }

    private static ProviderCall call(String json) {
        return call(json, MODEL, TIMEOUT);
    }

    private static ProviderCall call(String json, String model, Duration timeout) {
        return new ProviderCall(request(json), model, timeout, "req-1", System::nanoTime);
    }

    private static JsonNode tree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static final String SIMPLE = "{\"model\":\"b\",\"messages\":[{\"role\":\"user\",\"content\":"
            + FakeBedrockRuntime.quote(PROMPT) + "}]}";
    private static final String SIMPLE_STREAM = "{\"model\":\"b\",\"messages\":[{\"role\":\"user\",\"content\":"
            + FakeBedrockRuntime.quote(PROMPT) + "}],\"stream\":true}";

    /** A stream's chunks, as the caller would get them. */
    private record Streamed(StreamResult result, List<JsonNode> chunks, ChatResponse assembled) {
    }

    private Streamed stream(String json) {
        List<JsonNode> chunks = new ArrayList<>();
        StreamAssembler assembler = new StreamAssembler();
        StreamResult r = provider.stream(call(json), StreamSink.tee(StreamSink.chunks(b -> chunks.add(tree(
                new String(b, StandardCharsets.UTF_8)))), assembler));
        return new Streamed(r, chunks, assembler.result());
    }

    private GatewayException streamFails(String json, List<JsonNode> chunks) {
        return assertThrows(GatewayException.class, () -> provider.stream(call(json),
                StreamSink.chunks(b -> chunks.add(tree(new String(b, StandardCharsets.UTF_8))))));
    }

    // ================================================================ Converse: request mapping

    @Test
    void chat_requestMapping() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
        String caller = """
                {"model": "b",
                 "messages": [
                   {"role": "system", "content": "You are terse."},
                   {"role": "developer", "content": [{"type": "text", "text": "Answer in French."}]},
                   {"role": "user", "content": "%s", "name": "alice"},
                   {"role": "user", "content": [{"type": "text", "text": "And this image?"},
                     {"type": "image_url", "image_url": {"url": "data:image/png;base64,%s", "detail": "low"}}]},
                   {"role": "assistant", "content": "Let me check.", "tool_calls": [
                     {"id": "tooluse_1", "type": "function",
                      "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\", \\"days\\": 2}"}},
                     {"id": "tooluse_2", "type": "function", "function": {"name": "get_time", "arguments": ""}}]},
                   {"role": "tool", "tool_call_id": "tooluse_1", "content": "18C, sunny"},
                   {"role": "tool", "tool_call_id": "tooluse_2", "content": [{"type": "text", "text": "12:00"}]},
                   {"role": "assistant", "content": ""},
                   {"role": "user", "content": "Thanks."}
                 ],
                 "temperature": 0.3, "top_p": 0.9, "max_completion_tokens": 300, "max_tokens": 999,
                 "stop": ["END", "STOP"], "seed": 7, "user": "u-1", "metadata": {"k": "v"}, "store": false,
                 "parallel_tool_calls": true, "n": 1, "logprobs": false, "response_format": {"type": "text"},
                 "presence_penalty": 0, "x_vendor": 1,
                 "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather now",
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"},
                      "days": {"type": "integer", "maximum": 1.5E1}}, "required": ["city"]}, "strict": true}},
                   {"type": "function", "function": {"name": "get_time"}}],
                 "tool_choice": {"type": "function", "function": {"name": "get_weather"}}}
                """.formatted(PROMPT, Base64.getEncoder().encodeToString(png));
        fake.respond(Reply.json(200, FakeBedrockRuntime.converseText("Merci.", "end_turn", 40, 3)));

        provider.chat(call(caller));

        Recorded got = fake.onlyRequest();
        assertEquals("converse", got.operation());
        assertEquals(MODEL, got.modelId());
        assertSigned(got, "eu-west-1");
        JsonNode expected = tree("""
                {"messages": [
                   {"role": "user", "content": [{"text": "%s"}, {"text": "And this image?"},
                     {"image": {"format": "png", "source": {"bytes": "%s"}}}]},
                   {"role": "assistant", "content": [{"text": "Let me check."},
                     {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "Paris", "days": 2}}},
                     {"toolUse": {"toolUseId": "tooluse_2", "name": "get_time", "input": {}}}]},
                   {"role": "user", "content": [
                     {"toolResult": {"toolUseId": "tooluse_1", "content": [{"text": "18C, sunny"}]}},
                     {"toolResult": {"toolUseId": "tooluse_2", "content": [{"text": "12:00"}]}},
                     {"text": "Thanks."}]}],
                 "system": [{"text": "You are terse."}, {"text": "Answer in French."}],
                 "inferenceConfig": {"maxTokens": 300, "temperature": 0.3, "topP": 0.9, "stopSequences": ["END", "STOP"]},
                 "toolConfig": {"tools": [
                   {"toolSpec": {"name": "get_weather", "description": "Weather now", "inputSchema": {"json":
                     {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer",
                       "maximum": 15.0}}, "required": ["city"]}}}},
                   {"toolSpec": {"name": "get_time", "inputSchema": {"json": {"type": "object", "properties": {}}}}}],
                   "toolChoice": {"tool": {"name": "get_weather"}}}}
                """.formatted(PROMPT, Base64.getEncoder().encodeToString(png)));
        JsonNode sent = got.json();
        // floats go out as floats: compare numbers by value
        assertEquals(0.3, sent.path("inferenceConfig").path("temperature").asDouble(), 1e-6);
        assertEquals(0.9, sent.path("inferenceConfig").path("topP").asDouble(), 1e-6);
        ((com.fasterxml.jackson.databind.node.ObjectNode) sent.get("inferenceConfig")).put("temperature", 0.3)
                .put("topP", 0.9);
        assertEquals(expected, sent);
    }

    @Test
    void chat_modelIdsPassUnchanged() {
        String arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-lite-v1:0";
        for (String id : List.of("us.anthropic.claude-3-7-sonnet-20250219-v1:0", arn, "amazon.nova-lite-v1:0")) {
            fake.respond(Reply.json(200, FakeBedrockRuntime.converseText("ok", "end_turn", 1, 1)));
            ChatResponse r = provider.chat(call(SIMPLE, id, TIMEOUT));
            assertEquals(id, fake.requests().get(fake.requests().size() - 1).modelId());
            assertEquals(id, r.model());
        }
    }

    @Test
    void chat_toolChoiceAndDefaults() {
        String tools = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}}]";
        fake.respond(Reply.json(200, FakeBedrockRuntime.converseText("ok", "end_turn", 1, 1)));
        provider.chat(call(SIMPLE.replace("}]}", "}]," + tools + ",\"tool_choice\":\"required\"}")));
        provider.chat(call(SIMPLE.replace("}]}", "}]," + tools + ",\"tool_choice\":\"auto\"}")));
        provider.chat(call(SIMPLE.replace("}]}", "}]," + tools + ",\"tool_choice\":\"none\"}")));
        provider.chat(call(SIMPLE));
        List<Recorded> got = fake.requests();
        assertEquals(tree("{\"any\":{}}"), got.get(0).json().path("toolConfig").path("toolChoice"));
        assertEquals(tree("{\"auto\":{}}"), got.get(1).json().path("toolConfig").path("toolChoice"));
        assertFalse(got.get(2).json().has("toolConfig"), "none without tool history: no tools at all");
        assertFalse(got.get(3).json().has("toolConfig"));
        assertFalse(got.get(3).json().path("inferenceConfig").has("maxTokens"), "no cap unless one is set");

        // with tool history Bedrock requires the tools: sent, without a choice
        String history = "{\"model\":\"b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},"
                + "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"t1\",\"type\":\"function\",\"function\":"
                + "{\"name\":\"f\",\"arguments\":\"{}\"}}]},{\"role\":\"tool\",\"tool_call_id\":\"t1\",\"content\":\"x\"}],"
                + tools + ",\"tool_choice\":\"none\"}";
        provider.chat(call(history));
        JsonNode toolConfig = fake.requests().get(4).json().path("toolConfig");
        assertEquals(1, toolConfig.path("tools").size());
        assertFalse(toolConfig.has("toolChoice"));

        // the provider's default cap when the caller sets none
        BedrockProvider capped = new BedrockProvider(new ProviderConfig("bedrock",
                io.switchboard.shared.config.ProviderType.BEDROCK, fake.endpoint(), null, TIMEOUT, 256, null, null,
                "us-east-1"), clients, InstantSource.fixed(NOW));
        capped.chat(call(SIMPLE));
        assertEquals(256, fake.requests().get(5).json().path("inferenceConfig").path("maxTokens").asInt());
        assertSigned(fake.requests().get(5), "us-east-1");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"n\": 2                                          | n",
            "\"logprobs\": true                                | logprobs",
            "\"top_logprobs\": 2, \"logprobs\": false          | top_logprobs",
            "\"response_format\": {\"type\": \"json_object\"}  | response_format",
            "\"logit_bias\": {\"50256\": -100}                 | logit_bias",
            "\"presence_penalty\": 0.5                         | presence_penalty",
            "\"frequency_penalty\": -1                         | frequency_penalty",
            "\"parallel_tool_calls\": false                    | parallel_tool_calls",
            "\"audio\": {\"voice\": \"alloy\"}                 | audio",
            "\"modalities\": [\"text\", \"audio\"]             | modalities",
            "\"prediction\": {\"type\": \"content\", \"content\": \"x\"} | prediction"})
    void refusedParameters_400NamingTheParam(String field, String param) {
        String body = SIMPLE.replace("}]}", "}]," + field + "}");
        for (Executable e : List.<Executable>of(() -> provider.chat(call(body)),
                () -> provider.stream(call(body.replace("}]", "}],\"stream\":true")), StreamSink.chunks(b -> { })))) {
            GatewayException x = assertThrows(GatewayException.class, e);
            assertEquals(400, x.status());
            assertEquals(param, x.param());
            assertEquals("unsupported_parameter", x.code());
            assertTrue(x.getMessage().contains("Bedrock"), x.getMessage());
        }
        assertTrue(fake.requests().isEmpty(), "nothing goes upstream");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "https://example.com/cat.png                 | messages[0].content[0].image_url.url",
            "data:image/tiff;base64,AAAA                 | messages[0].content[0].image_url.url",
            "data:image/png,notbase64                    | messages[0].content[0].image_url.url",
            "data:image/png;base64,***                   | messages[0].content[0].image_url.url"})
    void images_onlyInlineBase64OfFourFormats(String url, String param) {
        String body = "{\"model\":\"b\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                + "\"image_url\":{\"url\":\"" + url + "\"}}]}]}";
        GatewayException x = assertThrows(GatewayException.class, () -> provider.chat(call(body)));
        assertEquals(400, x.status());
        assertEquals(param, x.param());
        assertTrue(fake.requests().isEmpty());
    }

    @Test
    void images_formats() {
        fake.respond(Reply.json(200, FakeBedrockRuntime.converseText("ok", "end_turn", 1, 1)));
        for (String type : List.of("png", "jpeg", "gif", "webp")) {
            provider.chat(call("{\"model\":\"b\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                    + "\"image_url\":{\"url\":\"data:image/" + type + ";base64,AQID\"}}]}]}"));
            JsonNode image = fake.requests().get(fake.requests().size() - 1).json()
                    .path("messages").path(0).path("content").path(0).path("image");
            assertEquals(type, image.path("format").asText());
            assertEquals("AQID", image.path("source").path("bytes").asText());
        }
    }

    // ================================================================ Converse: response mapping

    @Test
    void chat_responseMapping() {
        fake.respond(Reply.json(200, """
                {"output": {"message": {"role": "assistant", "content": [
                   {"reasoningContent": {"reasoningText": {"text": "thinking...", "signature": "sig"}}},
                   {"text": "Let me look "}, {"text": "that up."},
                   {"toolUse": {"toolUseId": "tooluse_abc", "name": "get_weather",
                     "input": {"city": "Paris", "n": [1, 2.5, true, null], "big": 12345678901234567890}}}]}},
                 "stopReason": "tool_use",
                 "usage": {"inputTokens": 20, "outputTokens": 9, "totalTokens": 129, "cacheReadInputTokens": 80,
                   "cacheWriteInputTokens": 20},
                 "metrics": {"latencyMs": 512}}"""));

        ChatResponse r = provider.chat(call(SIMPLE));

        assertEquals("chatcmpl-" + FakeBedrockRuntime.REQUEST_ID, r.id());
        assertEquals(NOW.getEpochSecond(), r.created());
        assertEquals(MODEL, r.model());
        assertEquals(1, r.choices().size());
        assertEquals("tool_calls", r.choices().get(0).finishReason());
        assertEquals("Let me look that up.", r.choices().get(0).message().text());
        JsonNode call = r.choices().get(0).message().toolCalls().get(0);
        assertEquals("tooluse_abc", call.path("id").asText());
        assertEquals("function", call.path("type").asText());
        assertEquals("get_weather", call.path("function").path("name").asText());
        assertEquals(tree("{\"city\":\"Paris\",\"n\":[1,2.5,true,null],\"big\":12345678901234567890}"),
                tree(call.path("function").path("arguments").asText()));
        assertEquals(120, r.usage().promptTokens());
        assertEquals(9, r.usage().completionTokens());
        assertEquals(129, r.usage().totalTokens());
        assertEquals(tree("{\"cached_tokens\":80}"), r.usage().extensions().get("prompt_tokens_details"));
        JsonNode written = tree(new String(ChatJson.writeResponse(r), StandardCharsets.UTF_8));
        assertEquals("chat.completion", written.path("object").asText());
        assertEquals(80, written.path("usage").path("prompt_tokens_details").path("cached_tokens").asInt());
    }

    @Test
    void chat_onlyToolUse_contentIsNull() {
        fake.respond(Reply.json(200, "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"toolUse\":"
                + "{\"toolUseId\":\"t\",\"name\":\"f\",\"input\":{}}}]}},\"stopReason\":\"tool_use\","
                + "\"usage\":{\"inputTokens\":1,\"outputTokens\":1,\"totalTokens\":2}}"));
        ChatResponse r = provider.chat(call(SIMPLE));
        assertNull(r.choices().get(0).message().content());
        assertEquals("{}", r.choices().get(0).message().toolCalls().get(0).path("function").path("arguments").asText());
    }

    @ParameterizedTest
    @CsvSource({"end_turn,stop", "stop_sequence,stop", "max_tokens,length", "model_context_window_exceeded,length",
            "tool_use,tool_calls", "content_filtered,content_filter", "guardrail_intervened,content_filter",
            "some_future_reason,some_future_reason"})
    void chat_stopReasons(String stopReason, String finish) {
        fake.respond(Reply.json(200, FakeBedrockRuntime.converseText("x", stopReason, 1, 1)));
        assertEquals(finish, provider.chat(call(SIMPLE)).choices().get(0).finishReason());
    }

    @ParameterizedTest
    @CsvSource({"malformed_model_output", "malformed_tool_use"})
    void chat_malformedOutput_isNoAnswer(String stopReason) {
        fake.respond(Reply.json(200, FakeBedrockRuntime.converseText("x", stopReason, 1, 1)));
        GatewayException e = assertThrows(GatewayException.class, () -> provider.chat(call(SIMPLE)));
        assertEquals(ErrorKind.UPSTREAM_INVALID_RESPONSE, e.kind());
    }

    @Test
    void chat_notAnAnswer() {
        fake.respond(Reply.json(200, "{\"stopReason\":\"end_turn\"}"));
        assertEquals(ErrorKind.UPSTREAM_INVALID_RESPONSE,
                assertThrows(GatewayException.class, () -> provider.chat(call(SIMPLE))).kind());
        fake.respond(Reply.json(200, "{\"output\": {\"message\": "));
        assertEquals(502, assertThrows(GatewayException.class, () -> provider.chat(call(SIMPLE))).status());
    }

    // ================================================================ errors: HTTP statuses, both operations

    @ParameterizedTest
    @CsvSource({
            "400, ValidationException,          400, upstream_invalid_request",
            "403, AccessDeniedException,        502, upstream_authentication_failed",
            "403, UnrecognizedClientException,  502, upstream_authentication_failed",
            "404, ResourceNotFoundException,    404, model_not_found",
            "408, ModelTimeoutException,        504, upstream_timeout",
            "424, ModelErrorException,          502, upstream_error",
            "429, ThrottlingException,          429, rate_limit_exceeded",
            "429, ModelNotReadyException,       429, rate_limit_exceeded",
            "400, ServiceQuotaExceededException, 429, rate_limit_exceeded",
            "500, InternalServerException,      502, upstream_error",
            "503, ServiceUnavailableException,  502, upstream_error",
            "502, SomethingNewException,        502, upstream_error"})
    void httpErrors_mapped_andNeverRetried(int status, String type, int expected, String code) {
        fake.respond(Reply.error(status, type, "Echo of " + PROMPT + " and Credential=test/20260301"));
        List<JsonNode> chunks = new ArrayList<>();
        GatewayException chat = assertThrows(GatewayException.class, () -> provider.chat(call(SIMPLE)));
        GatewayException stream = streamFails(SIMPLE_STREAM, chunks);
        for (GatewayException e : List.of(chat, stream)) {
            assertEquals(expected, e.status(), type);
            assertEquals(code, e.code(), type);
            assertNoLeak(type, e);
        }
        assertTrue(chunks.isEmpty());
        assertEquals(2, fake.requests().size(), "one call each: the SDK must not retry");
        assertEquals("converse-stream", fake.requests().get(1).operation());
        assertSigned(fake.requests().get(1), "eu-west-1");
    }

    @Test
    void throttled_retryAfterPassedOn() {
        fake.respond(Reply.error(429, "ThrottlingException", "Too many requests").withHeader("Retry-After", "7"));
        GatewayException e = assertThrows(GatewayException.class, () -> provider.chat(call(SIMPLE)));
        assertEquals(7, e.retryAfterSeconds());
    }

    @Test
    void unreachable_502Unavailable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        BedrockProvider nowhere = provider("us-east-1", URI.create("http://127.0.0.1:" + port));
        for (Executable e : List.<Executable>of(() -> nowhere.chat(call(SIMPLE)),
                () -> nowhere.stream(call(SIMPLE_STREAM), StreamSink.chunks(b -> { })))) {
            GatewayException x = assertThrows(GatewayException.class, e);
            assertEquals(502, x.status());
            assertEquals("upstream_unavailable", x.code());
        }
    }

    // ================================================================ streaming

    @Test
    void stream_text() {
        fake.respond(Reply.stream(textStream("end_turn", "Bon", "jour", " ✓ 東京")));

        Streamed s = stream(SIMPLE_STREAM);

        assertEquals(5, s.chunks().size(), "role, three deltas, finish; no usage chunk unless asked");
        JsonNode first = s.chunks().get(0);
        assertEquals("chat.completion.chunk", first.path("object").asText());
        assertEquals("chatcmpl-" + FakeBedrockRuntime.REQUEST_ID, first.path("id").asText());
        assertEquals(MODEL, first.path("model").asText());
        assertEquals(NOW.getEpochSecond(), first.path("created").asLong());
        assertEquals("assistant", first.path("choices").path(0).path("delta").path("role").asText());
        assertEquals("Bonjour ✓ 東京", s.assembled().choices().get(0).message().text());
        assertEquals("stop", s.chunks().get(4).path("choices").path(0).path("finish_reason").asText());
        for (JsonNode c : s.chunks()) {
            assertEquals(first.path("id"), c.path("id"), "one id per stream");
        }
        assertEquals("stop", s.result().finishReason());
        assertEquals(5, s.result().chunks());
        assertEquals(11, s.result().usage().promptTokens(), "usage known even when not sent to the caller");
        Recorded got = fake.onlyRequest();
        assertEquals("converse-stream", got.operation());
        assertEquals(MODEL, got.modelId());
        assertEquals(PROMPT, got.json().path("messages").path(0).path("content").path(0).path("text").asText());
        assertSigned(got, "eu-west-1");
    }

    @Test
    void stream_toolCalls() {
        fake.respond(Reply.stream(List.of(messageStart(), text(0, "Checking."), blockStop(0),
                toolStart(1, "tooluse_w", "get_weather"), toolInput(1, "{\"ci"), toolInput(1, "ty\": \"Par"),
                toolInput(1, "is\"}"), blockStop(1), toolStart(2, "tooluse_t", "get_time"), toolInput(2, "{}"),
                blockStop(2), messageStop("tool_use"), metadata(30, 12, -1, -1))));

        Streamed s = stream(SIMPLE_STREAM);

        JsonNode start = s.chunks().get(2).path("choices").path(0).path("delta").path("tool_calls").path(0);
        assertEquals(tree("{\"id\":\"tooluse_w\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"\"},\"index\":0}"), start);
        JsonNode fragment = s.chunks().get(3).path("choices").path(0).path("delta").path("tool_calls").path(0);
        assertEquals(tree("{\"index\":0,\"function\":{\"arguments\":\"{\\\"ci\"}}"), fragment);
        assertEquals(1, s.chunks().get(6).path("choices").path(0).path("delta").path("tool_calls").path(0)
                .path("index").asInt(), "the second tool call is index 1, whatever Bedrock's block index");
        ChatResponse whole = s.assembled();
        assertEquals("tool_calls", whole.choices().get(0).finishReason());
        assertEquals("Checking.", whole.choices().get(0).message().text());
        JsonNode calls = whole.choices().get(0).message().toolCalls();
        assertEquals(2, calls.size());
        assertEquals("tooluse_w", calls.get(0).path("id").asText());
        assertEquals(tree("{\"city\":\"Paris\"}"), tree(calls.get(0).path("function").path("arguments").asText()));
        assertEquals("get_time", calls.get(1).path("function").path("name").asText());
        assertEquals("tool_calls", s.result().finishReason());
    }

    @Test
    void stream_includeUsage() {
        List<Frame> frames = new ArrayList<>(textStream("max_tokens", "a", "b"));
        frames.set(frames.size() - 1, metadata(10, 2, 90, 5));
        fake.respond(Reply.stream(frames));

        Streamed s = stream(SIMPLE_STREAM.replace("\"stream\":true", "\"stream\":true,\"stream_options\":"
                + "{\"include_usage\":true}"));

        JsonNode last = s.chunks().get(s.chunks().size() - 1);
        assertEquals(0, last.path("choices").size(), "OpenAI's usage chunk has no choices");
        assertEquals(tree("{\"prompt_tokens\":105,\"completion_tokens\":2,\"total_tokens\":107,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":90}}"), last.path("usage"));
        assertEquals("length", s.chunks().get(s.chunks().size() - 2).path("choices").path(0).path("finish_reason")
                .asText());
        assertEquals(105, s.result().usage().promptTokens());
        assertEquals(107, s.assembled().usage().totalTokens());
    }

    @Test
    void stream_truncated() {
        List<JsonNode> chunks = new ArrayList<>();
        // ends cleanly, but before messageStop
        fake.respond(Reply.stream(List.of(messageStart(), text(0, "Hel"), text(0, "lo"))));
        GatewayException clean = streamFails(SIMPLE_STREAM, chunks);
        assertEquals(ErrorKind.STREAM_TRUNCATED, clean.kind());
        assertEquals(3, chunks.size(), "what arrived was delivered");
        // the connection drops mid-stream
        chunks.clear();
        fake.respond(Reply.stream(List.of(messageStart(), text(0, "Hel"))).cut());
        GatewayException cut = streamFails(SIMPLE_STREAM, chunks);
        assertEquals(ErrorKind.STREAM_TRUNCATED, cut.kind());
        assertEquals(502, cut.status());
        assertEquals("stream_truncated", cut.code());
        // dropped after messageStop, before metadata: the SDK reports a normal end, the missing metadata tells
        fake.respond(Reply.stream(List.of(messageStart(), text(0, "Hi"), messageStop("end_turn"))).cut());
        assertEquals(ErrorKind.STREAM_TRUNCATED, streamFails(SIMPLE_STREAM, new ArrayList<>()).kind());
        // and so does a clean end there: metadata is Bedrock's last event
        fake.respond(Reply.stream(List.of(messageStart(), text(0, "Hi"), messageStop("end_turn"))));
        assertEquals(ErrorKind.STREAM_TRUNCATED, streamFails(SIMPLE_STREAM, new ArrayList<>()).kind());
        // no event at all
        fake.respond(Reply.stream(List.of()));
        assertEquals(ErrorKind.UPSTREAM_INVALID_RESPONSE, streamFails(SIMPLE_STREAM, new ArrayList<>()).kind());
    }

    @ParameterizedTest
    @CsvSource({
            "throttlingException,          429, rate_limit_exceeded",
            "modelStreamErrorException,    502, upstream_stream_error",
            "internalServerException,      502, upstream_stream_error",
            "serviceUnavailableException,  502, upstream_stream_error",
            "validationException,          400, upstream_invalid_request"})
    void stream_exceptionEvents(String type, int status, String code) {
        fake.respond(Reply.stream(List.of(messageStart(), text(0, "Par"), exception(type,
                "Echo of " + PROMPT), text(0, "never"))));
        List<JsonNode> chunks = new ArrayList<>();
        GatewayException e = streamFails(SIMPLE_STREAM, chunks);
        assertEquals(status, e.status(), type);
        assertEquals(code, e.code(), type);
        assertEquals(2, chunks.size(), "events before the exception are delivered, none after");
        assertNoLeak(type, e);
    }

    // ================================================================ time limits

    @Test
    void chat_slowerThanTheTimeout_504() {
        fake.respond(Reply.json(200, FakeBedrockRuntime.converseText("late", "end_turn", 1, 1))
                .withDelay(Duration.ofSeconds(3)));
        long start = System.nanoTime();
        GatewayException e = assertThrows(GatewayException.class,
                () -> provider.chat(call(SIMPLE, MODEL, Duration.ofMillis(400))));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(ErrorKind.UPSTREAM_TIMEOUT, e.kind());
        assertTrue(ms < 2500, "gave up at the 400 ms timeout, took " + ms);
    }

    @Test
    void stream_noFirstEvent_504() {
        fake.respond(Reply.hang());
        long start = System.nanoTime();
        GatewayException e = assertThrows(GatewayException.class, () -> provider.stream(
                call(SIMPLE_STREAM, MODEL, Duration.ofMillis(400)), StreamSink.chunks(b -> { })));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(ErrorKind.UPSTREAM_TIMEOUT, e.kind());
        assertTrue(ms < 2500, "gave up at the first-event timeout, took " + ms);
    }

    @Test
    void stream_silenceBetweenEvents_504() {
        fake.respond(Reply.stream(textStream("end_turn", "warm", "up")));
        stream(SIMPLE_STREAM); // classes loaded: the silence below is the upstream's alone
        List<Frame> frames = new ArrayList<>(textStream("end_turn", "a", "b", "c"));
        frames.set(2, frames.get(2).after(Duration.ofMillis(3000)));
        fake.respond(Reply.stream(frames));
        ProviderCall c = call(SIMPLE_STREAM, MODEL, Duration.ofSeconds(5))
                .streaming(Duration.ofMillis(500), Long.MAX_VALUE, null, null);
        List<String> got = new ArrayList<>();
        long start = System.nanoTime();
        GatewayException e = assertThrows(GatewayException.class,
                () -> provider.stream(c, StreamSink.chunks(b -> got.add(new String(b, StandardCharsets.UTF_8)))));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(ErrorKind.UPSTREAM_TIMEOUT, e.kind());
        assertEquals(2, got.size(), "role and first delta arrived before the silence");
        assertTrue(ms < 2500, "gave up after the 500 ms idle bound, took " + ms);
    }

    @Test
    void stream_slowCaller_backpressure() throws Exception {
        // 40 events; the caller takes 10 ms per chunk; the queue never holds more than PREFETCH events
        List<Frame> frames = new ArrayList<>();
        frames.add(messageStart());
        for (int i = 0; i < 40; i++) {
            frames.add(text(0, "t" + i));
        }
        frames.add(messageStop("end_turn"));
        frames.add(metadata(1, 40, -1, -1));
        fake.respond(Reply.stream(frames));
        StringBuilder text = new StringBuilder();
        Consumer<byte[]> slow = b -> {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            JsonNode delta = tree(new String(b, StandardCharsets.UTF_8)).path("choices").path(0).path("delta");
            text.append(delta.path("content").asText(""));
        };
        StreamResult r = provider.stream(call(SIMPLE_STREAM, MODEL, Duration.ofSeconds(5))
                .streaming(Duration.ofMillis(300), Long.MAX_VALUE, null, null), StreamSink.chunks(slow));
        assertEquals(42, r.chunks());
        assertTrue(text.toString().startsWith("t0t1t2") && text.toString().endsWith("t39"), text.toString());
    }

    // ================================================================ SnapStart priming

    @Test
    void prime_translatesAndBuildsClients_withoutACall() {
        BedrockRuntimeClients own = new BedrockRuntimeClients("us-east-1", fake.endpoint(), Ticker.system(), null);
        try (own) {
            BedrockProvider p = new BedrockProvider(ProviderConfig.bedrock("bedrock", null, null, TIMEOUT), own,
                    InstantSource.fixed(NOW));
            p.prime();
            assertTrue(own.sync(null, null).isBuilt() && own.async(null, null).isBuilt());
            assertTrue(fake.requests().isEmpty(), "priming calls nobody");
        }
        assertFalse(own.sync(null, null).isBuilt(), "closed before the snapshot, rebuilt lazily");
    }

    // ================================================================ helpers

    /** SigV4 with the test's static credentials, for {@code region}'s Bedrock. */
    private static void assertSigned(Recorded r, String region) {
        String auth = r.header("authorization");
        assertTrue(auth != null && auth.startsWith("AWS4-HMAC-SHA256 Credential=test/"), auth);
        assertTrue(auth.contains("/" + region + "/bedrock/aws4_request"), auth);
        assertTrue(auth.contains("SignedHeaders=") && auth.contains("Signature="), auth);
        assertEquals("test", r.header("x-amz-security-token"));
        assertTrue(r.header("x-amz-date") != null);
    }

    private static void assertNoLeak(String scenario, GatewayException e) {
        String body = new String(ChatJson.writeError(e), StandardCharsets.UTF_8);
        assertAll(
                () -> assertFalse(e.getMessage().contains("PROMPT-7f1c"), scenario + ": " + e.getMessage()),
                () -> assertFalse(e.getMessage().contains("Echo of"), scenario + ": " + e.getMessage()),
                () -> assertFalse(body.contains("PROMPT-7f1c") || body.contains("Credential="), scenario + ": " + body),
                () -> assertFalse(String.valueOf(e.param()).contains("PROMPT"), scenario),
                () -> assertFalse(String.valueOf(e.code()).contains("PROMPT"), scenario));
    }
}
