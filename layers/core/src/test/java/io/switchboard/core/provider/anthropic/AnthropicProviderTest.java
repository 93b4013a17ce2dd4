package io.switchboard.core.provider.anthropic;

import static io.switchboard.core.provider.anthropic.FakeAnthropicServer.MESSAGE_ID;
import static io.switchboard.core.provider.anthropic.FakeAnthropicServer.MODEL;
import static io.switchboard.core.provider.anthropic.FakeAnthropicServer.blockStop;
import static io.switchboard.core.provider.anthropic.FakeAnthropicServer.errorEvent;
import static io.switchboard.core.provider.anthropic.FakeAnthropicServer.event;
import static io.switchboard.core.provider.anthropic.FakeAnthropicServer.jsonDelta;
import static io.switchboard.core.provider.anthropic.FakeAnthropicServer.message;
import static io.switchboard.core.provider.anthropic.FakeAnthropicServer.messageDelta;
import static io.switchboard.core.provider.anthropic.FakeAnthropicServer.messageStart;
import static io.switchboard.core.provider.anthropic.FakeAnthropicServer.messageStop;
import static io.switchboard.core.provider.anthropic.FakeAnthropicServer.ping;
import static io.switchboard.core.provider.anthropic.FakeAnthropicServer.text;
import static io.switchboard.core.provider.anthropic.FakeAnthropicServer.textDelta;
import static io.switchboard.core.provider.anthropic.FakeAnthropicServer.textStart;
import static io.switchboard.core.provider.anthropic.FakeAnthropicServer.toolStart;
import static io.switchboard.core.provider.anthropic.FakeAnthropicServer.toolUse;
import static io.switchboard.core.provider.anthropic.FakeAnthropicServer.usage;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.provider.ProviderCall;
import io.switchboard.core.provider.anthropic.FakeAnthropicServer.Recorded;
import io.switchboard.core.provider.anthropic.FakeAnthropicServer.Reply;
import io.switchboard.core.secrets.SecretResolver;
import io.switchboard.core.stream.StreamAssembler;
import io.switchboard.core.stream.StreamResult;
import io.switchboard.core.stream.StreamSink;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatChoice;
import io.switchboard.shared.chat.ChatMessage;
import io.switchboard.shared.chat.ChatRequest;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.chat.Role;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.config.ProviderType;
import io.switchboard.shared.config.SecretRef;
import io.switchboard.shared.json.ChatJson;
import io.switchboard.shared.json.ChatRequestReader;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import io.switchboard.core.net.Http1Client;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link AnthropicProvider} against a loopback server speaking Anthropic's Messages wire format. */
class AnthropicProviderTest {
    private static final String KEY = "sk-ant-api03-test-secret-9f8e7d";
    private static final String PROVIDER_MODEL = "claude-sonnet-4-5";
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    private static final long CREATED = NOW.getEpochSecond();

    private static Http1Client sharedHttpClient;

    private FakeAnthropicServer server;
    private AnthropicProvider provider;

    @BeforeAll
    static void buildClient() {
        sharedHttpClient = Http1Client.withDefaults();
    }

    @AfterAll
    static void closeClient() {
        sharedHttpClient.close();
    }

    @BeforeEach
    void startServer() throws IOException {
        server = FakeAnthropicServer.start();
        provider = provider(server.baseUrl(), Map.of("ANTHROPIC_API_KEY", KEY), null, Map.of());
    }

    @AfterEach
    void stopServer() {
        server.close();
        assertTrue(server.failures().isEmpty(), () -> "fake server failed: " + server.failures());
    }

    private static AnthropicProvider provider(URI baseUrl, Map<String, String> env, Integer defaultMaxTokens,
            Map<String, String> headers) {
        return new AnthropicProvider(new ProviderConfig("claude", ProviderType.ANTHROPIC, baseUrl,
                new SecretRef(SecretRef.Source.ENV, "ANTHROPIC_API_KEY"), TIMEOUT, defaultMaxTokens, null, headers),
                () -> sharedHttpClient, new SecretResolver(env, name -> {
                    throw new IllegalStateException();
                }, System::nanoTime, Duration.ofMinutes(5)), InstantSource.fixed(NOW));
    }

    private static ChatRequest request(String json) {
        return ChatRequestReader.read(json.getBytes(StandardCharsets.UTF_8));
    }

    private static ProviderCall call(String json) {
        return call(json, TIMEOUT);
    }

    private static ProviderCall call(String json, Duration timeout) {
        return new ProviderCall(request(json), PROVIDER_MODEL, timeout, "req-1", System::nanoTime);
    }

    private static JsonNode tree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<JsonNode> trees(List<String> jsons) {
        return jsons.stream().map(AnthropicProviderTest::tree).toList();
    }

    /** A request of {@code messages} (a JSON array) and {@code extra} top-level fields. */
    private static String body(String messages, String extra) {
        return "{\"model\":\"claude\",\"messages\":" + messages + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    private static final String HELLO = "[{\"role\":\"user\",\"content\":\"Hello\"}]";

    /** The Messages request the fake received for {@code json}, answered with a plain message. */
    private JsonNode sentFor(String json) {
        server.respond(Reply.json(200, message(List.of(text("ok")), "end_turn", usage(1, 0, 0, 1))));
        provider.chat(call(json));
        return server.lastRequest().json();
    }

    private ChatResponse answer(String messageJson) {
        server.respond(Reply.json(200, messageJson));
        return provider.chat(call(body(HELLO, "")));
    }

    private List<String> streamed(List<String> events, String extra) {
        server.respond(Reply.sse(events));
        List<String> sunk = new ArrayList<>();
        provider.stream(call(body(HELLO, extra)), StreamSink.chunks(b -> sunk.add(new String(b,
                StandardCharsets.UTF_8))));
        return sunk;
    }

    private GatewayException streamFails(List<String> sunk) {
        return assertThrows(GatewayException.class, () -> provider.stream(call(body(HELLO, "\"stream\":true")),
                StreamSink.chunks(b -> sunk.add(new String(b, StandardCharsets.UTF_8)))));
    }

    /** A chunk as the provider writes it. */
    private static String chunk(String delta, String finish) {
        return "{\"id\":\"" + MESSAGE_ID + "\",\"object\":\"chat.completion.chunk\",\"created\":" + CREATED
                + ",\"model\":\"" + MODEL + "\",\"choices\":[{\"index\":0,\"delta\":" + delta
                + ",\"logprobs\":null,\"finish_reason\":" + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    // ================================================================ request mapping

    @Test
    void request_systemAndDeveloperHoisted_sameRoleTurnsMerged_samplingStopUser_droppedParametersAbsent() {
        JsonNode sent = sentFor("""
                {"model": "claude", "messages": [
                  {"role": "system", "content": "You are terse."},
                  {"role": "developer", "content": [{"type": "text", "text": "Answer in French."}]},
                  {"role": "user", "content": "Bonjour"},
                  {"role": "user", "content": [{"type": "text", "text": "Quel temps ?"}], "name": "alice"},
                  {"role": "assistant", "content": "Il fait beau."},
                  {"role": "system", "content": "Stay polite."},
                  {"role": "user", "content": "Merci"}],
                 "max_completion_tokens": 300, "max_tokens": 100, "stop": ["END", "Human:"], "temperature": 0.3,
                 "top_p": 0.9, "user": "user-42", "n": 1, "logprobs": false, "top_logprobs": 0,
                 "response_format": {"type": "text"}, "presence_penalty": 0.5, "frequency_penalty": 0.1, "seed": 7,
                 "logit_bias": {"50256": -100}, "store": true, "service_tier": "auto", "metadata": {"team": "x"},
                 "reasoning_effort": "low", "prediction": {"type": "content", "content": "Merci"},
                 "modalities": ["text"], "parallel_tool_calls": true, "x_vendor_flag": true}""");

        assertEquals(tree("""
                {"model": "claude-sonnet-4-5", "max_tokens": 300,
                 "system": [{"type": "text", "text": "You are terse."}, {"type": "text", "text": "Answer in French."},
                            {"type": "text", "text": "Stay polite."}],
                 "messages": [
                   {"role": "user", "content": [{"type": "text", "text": "Bonjour"},
                                                {"type": "text", "text": "Quel temps ?"}]},
                   {"role": "assistant", "content": [{"type": "text", "text": "Il fait beau."}]},
                   {"role": "user", "content": [{"type": "text", "text": "Merci"}]}],
                 "stop_sequences": ["END", "Human:"], "temperature": 0.3, "top_p": 0.9,
                 "metadata": {"user_id": "user-42"}}"""), sent);

        Recorded got = server.onlyRequest();
        assertEquals("POST", got.method());
        assertEquals("/v1/messages", got.path());
        assertEquals(KEY, got.header("x-api-key"));
        assertEquals("2023-06-01", got.header("anthropic-version"));
        assertTrue(got.header("content-type").startsWith("application/json"));
        assertEquals("application/json", got.header("accept"));
        assertNull(got.header("authorization"), "Anthropic takes its key in x-api-key only");
    }

    @Test
    void request_images_base64DataUrlAndHttpsUrl_detailDropped() {
        JsonNode sent = sentFor(body("""
                [{"role": "user", "content": [
                  {"type": "text", "text": "Compare these."},
                  {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==",
                                                      "detail": "low"}},
                  {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}},
                  {"type": "text", "text": ""}]}]""", ""));

        assertEquals(tree("""
                [{"role": "user", "content": [
                  {"type": "text", "text": "Compare these."},
                  {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                               "data": "iVBORw0KGgoAAAANSUhEUg=="}},
                  {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}}]}]"""),
                sent.get("messages"));
    }

    private static final String WEATHER_TOOL = """
            {"type": "function", "function": {"name": "get_weather", "description": "Current weather",
             "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
             "strict": true}}""";
    private static final String CLOCK_TOOL = """
            {"type": "function", "function": {"name": "get_time"}}""";

    @Test
    void request_tools_functionsAsInputSchemas_aFunctionWithoutParametersGetsAnEmptyObjectSchema() {
        JsonNode sent = sentFor(body(HELLO, "\"tools\": [" + WEATHER_TOOL + "," + CLOCK_TOOL + "]"));

        assertEquals(tree("""
                [{"name": "get_weather", "description": "Current weather",
                  "input_schema": {"type": "object", "properties": {"city": {"type": "string"}},
                                   "required": ["city"]}},
                 {"name": "get_time", "input_schema": {"type": "object", "properties": {}}}]"""),
                sent.get("tools"));
        assertFalse(sent.has("tool_choice"), "no tool_choice when the caller set none");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"auto\"                                                     | true  | {\"type\":\"auto\"}",
            "\"none\"                                                     | true  | {\"type\":\"none\"}",
            "\"required\"                                                 | true  | {\"type\":\"any\"}",
            "{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}} | true  | {\"type\":\"tool\",\"name\":\"get_time\"}",
            "\"auto\"                                                     | false | {\"type\":\"auto\",\"disable_parallel_tool_use\":true}",
            "\"none\"                                                     | false | {\"type\":\"none\"}",
            "\"required\"                                                 | false | {\"type\":\"any\",\"disable_parallel_tool_use\":true}",
            "{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}} | false | {\"type\":\"tool\",\"name\":\"get_time\",\"disable_parallel_tool_use\":true}",
            "null                                                         | false | {\"type\":\"auto\",\"disable_parallel_tool_use\":true}"})
    void request_toolChoice(String choice, boolean parallel, String expected) {
        JsonNode sent = sentFor(body(HELLO, "\"tools\": [" + WEATHER_TOOL + "," + CLOCK_TOOL + "], \"tool_choice\": "
                + choice + ", \"parallel_tool_calls\": " + parallel));

        assertEquals(tree(expected), sent.get("tool_choice"));
    }

    @Test
    void request_toolChoiceWithoutTools_isNotSent() {
        JsonNode sent = sentFor(body(HELLO, "\"tool_choice\": \"none\""));
        assertFalse(sent.has("tool_choice"));
        assertFalse(sent.has("tools"));
    }

    @Test
    void request_toolRoundTrip_toolUseWithParsedInput_toolResultsLeadTheMergedUserTurn() {
        JsonNode sent = sentFor(body("""
                [{"role": "user", "content": "Weather in Paris and the time?"},
                 {"role": "assistant", "content": "", "tool_calls": [
                   {"id": "toolu_01A", "type": "function",
                    "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}},
                   {"id": "toolu_01B", "type": "function", "function": {"name": "get_time", "arguments": ""}}]},
                 {"role": "tool", "tool_call_id": "toolu_01A", "content": "18 °C, sunny"},
                 {"role": "tool", "tool_call_id": "toolu_01B", "content": [{"type": "text", "text": "10:00"}]},
                 {"role": "user", "content": "Thanks. And tomorrow?"}]""",
                "\"tools\": [" + WEATHER_TOOL + "," + CLOCK_TOOL + "]"));

        assertEquals(tree("""
                [{"role": "user", "content": [{"type": "text", "text": "Weather in Paris and the time?"}]},
                 {"role": "assistant", "content": [
                   {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"city": "Paris"}},
                   {"type": "tool_use", "id": "toolu_01B", "name": "get_time", "input": {}}]},
                 {"role": "user", "content": [
                   {"type": "tool_result", "tool_use_id": "toolu_01A", "content": "18 °C, sunny"},
                   {"type": "tool_result", "tool_use_id": "toolu_01B",
                    "content": [{"type": "text", "text": "10:00"}]},
                   {"type": "text", "text": "Thanks. And tomorrow?"}]}]"""), sent.get("messages"));
    }

    @Test
    void request_toolResultAfterUserText_stillLeadsTheTurn() {
        JsonNode sent = sentFor(body("""
                [{"role": "assistant", "content": "Checking.", "tool_calls": [{"id": "toolu_1", "type": "function",
                   "function": {"name": "get_time", "arguments": "{}"}}]},
                 {"role": "user", "content": "Hurry."},
                 {"role": "tool", "tool_call_id": "toolu_1", "content": "10:00"}]""", ""));

        assertEquals(tree("""
                [{"role": "assistant", "content": [{"type": "text", "text": "Checking."},
                   {"type": "tool_use", "id": "toolu_1", "name": "get_time", "input": {}}]},
                 {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "10:00"},
                   {"type": "text", "text": "Hurry."}]}]"""), sent.get("messages"));
    }

    @Test
    void request_builtInCode_nullContentOfSystemAndToolMessages_isTolerated() {
        ChatRequest r = ChatRequest.of("claude", List.of(new ChatMessage(Role.SYSTEM, null, null, null, null, Map.of()),
                ChatMessage.of(Role.USER, "Hi"), new ChatMessage(Role.TOOL, null, null, "t1", null, Map.of())));
        JsonNode sent = tree(new String(AnthropicTranslation.request(r, "m", false), StandardCharsets.UTF_8));
        assertFalse(sent.has("system"));
        assertEquals(tree("""
                [{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": ""},
                                              {"type": "text", "text": "Hi"}]}]"""), sent.get("messages"));
    }

    @Test
    void request_maxTokens_callerThenProviderDefaultThenConstant() {
        assertEquals(4096, sentFor(body(HELLO, "")).path("max_tokens").asInt());
        assertEquals(AnthropicProvider.DEFAULT_MAX_TOKENS, 4096);
        assertEquals(50, sentFor(body(HELLO, "\"max_tokens\": 50")).path("max_tokens").asInt());
        assertEquals(70, sentFor(body(HELLO, "\"max_tokens\": 50, \"max_completion_tokens\": 70"))
                .path("max_tokens").asInt());

        provider = provider(server.baseUrl(), Map.of("ANTHROPIC_API_KEY", KEY), 1000, Map.of());
        assertEquals(1000, sentFor(body(HELLO, "")).path("max_tokens").asInt());
        assertEquals(50, sentFor(body(HELLO, "\"max_tokens\": 50")).path("max_tokens").asInt());
    }

    @Test
    void request_configuredHeadersGoOut_theKeyWins() {
        provider = provider(server.baseUrl(), Map.of("ANTHROPIC_API_KEY", KEY), null,
                Map.of("anthropic-beta", "prompt-caching-2024-07-31", "x-api-key", "not-the-key"));
        sentFor(body(HELLO, ""));
        Recorded got = server.onlyRequest();
        assertEquals("prompt-caching-2024-07-31", got.header("anthropic-beta"));
        assertEquals(KEY, got.header("x-api-key"));
        assertEquals("2023-06-01", got.header("anthropic-version"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"n\": 2                                            | n                     | unsupported_value",
            "\"logprobs\": true                                  | logprobs              | unsupported_value",
            "\"top_logprobs\": 3                                 | top_logprobs          | unsupported_value",
            "\"response_format\": {\"type\": \"json_object\"}    | response_format.type  | unsupported_value",
            "\"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"w\"}} | response_format.type | unsupported_value",
            "\"audio\": {\"voice\": \"alloy\", \"format\": \"mp3\"} | audio              | unsupported_parameter",
            "\"modalities\": [\"text\", \"audio\"]               | modalities            | unsupported_value",
            "\"functions\": [{\"name\": \"f\"}]                  | functions             | unsupported_parameter",
            "\"function_call\": \"auto\"                         | function_call         | unsupported_parameter",
            "\"web_search_options\": {}                          | web_search_options    | unsupported_parameter",
            "\"temperature\": 1.5                                | temperature           | invalid_value",
            "\"tools\": [{\"type\": \"custom\", \"custom\": {\"name\": \"x\"}}] | tools[0].type | unsupported_value",
            "\"tools\": [" + "{\"type\":\"function\",\"function\":{\"name\":\"f\"}}" + "], \"tool_choice\": {\"type\": \"allowed_tools\", \"allowed_tools\": {}} | tool_choice.type | unsupported_value"})
    void request_refusedParameters_are400NamingTheField_andNothingGoesUpstream(String extra, String param,
            String code) {
        GatewayException e = assertThrows(GatewayException.class, () -> provider.chat(call(body(HELLO, extra))));
        GatewayException s = assertThrows(GatewayException.class, () -> provider.stream(
                call(body(HELLO, extra + ", \"stream\": true")), StreamSink.chunks(b -> { })));

        for (GatewayException x : List.of(e, s)) {
            assertEquals(ErrorKind.INVALID_REQUEST, x.kind());
            assertEquals(400, x.status());
            assertEquals(param, x.param());
            assertEquals(code, x.code());
            assertTrue(x.getMessage().contains("'claude'") || x.getMessage().contains("nthropic"), x.getMessage());
        }
        assertTrue(server.requests().isEmpty(), "a refused request never reaches the provider");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/svg+xml,<svg/>\"}}]}] | messages[0].content[0].image_url.url | invalid_value",
            "[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"ftp://x/y.png\"}}]}] | messages[0].content[0].image_url.url | invalid_value",
            "[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"AA==\",\"format\":\"wav\"}}]}] | messages[0].content[0].type | unsupported_value",
            "[{\"role\":\"system\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/y.png\"}}]},{\"role\":\"user\",\"content\":\"Hi\"}] | messages[0].content[0].type | unsupported_value",
            "[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"function\",\"name\":\"f\",\"content\":\"1\"}] | messages[1].role | unsupported_value",
            "[{\"role\":\"assistant\",\"content\":null,\"function_call\":{\"name\":\"f\",\"arguments\":\"{}\"}}] | messages[0].function_call | unsupported_parameter",
            "[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"t1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{not json\"}}]}] | messages[0].tool_calls[0].function.arguments | invalid_value",
            "[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"t1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"[1,2]\"}}]}] | messages[0].tool_calls[0].function.arguments | invalid_value",
            "[{\"role\":\"assistant\",\"tool_calls\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}] | messages[0].tool_calls[0].id | invalid_value",
            "[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"t1\",\"type\":\"function\",\"function\":{\"arguments\":\"{}\"}}]}] | messages[0].tool_calls[0].function.name | invalid_value"})
    void request_unmappableMessages_are400NamingTheField(String messages, String param, String code) {
        GatewayException e = assertThrows(GatewayException.class, () -> provider.chat(call(body(messages, ""))));
        assertEquals(ErrorKind.INVALID_REQUEST, e.kind());
        assertEquals(param, e.param());
        assertEquals(code, e.code());
        assertTrue(server.requests().isEmpty());
    }

    // ================================================================ response mapping

    @Test
    void response_textBlocksJoined_thinkingLeftOut_usageWithCacheTokens() {
        ChatResponse r = answer(message(List.of(
                "{\"type\":\"thinking\",\"thinking\":\"Let me think.\",\"signature\":\"EqQBCgIYAhIM\"}",
                text("Bonjour, "), text("le monde !")), "end_turn", usage(10, 200, 1000, 50)));

        assertEquals(MESSAGE_ID, r.id());
        assertEquals(MODEL, r.model());
        assertEquals(CREATED, r.created());
        ChatChoice c = r.choices().get(0);
        assertEquals("Bonjour, le monde !", c.message().text());
        assertNull(c.message().toolCalls());
        assertEquals("stop", c.finishReason());
        assertEquals(1210, r.usage().promptTokens(), "input + cache writes + cache reads");
        assertEquals(50, r.usage().completionTokens());
        assertEquals(1260, r.usage().totalTokens());
        assertEquals(tree("{\"cached_tokens\": 1000}"), r.usage().extensions().get("prompt_tokens_details"));

        JsonNode written = tree(new String(ChatJson.writeResponse(r), StandardCharsets.UTF_8));
        assertEquals(tree("""
                {"id": "%s", "object": "chat.completion", "created": %d, "model": "%s",
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": "Bonjour, le monde !"},
                              "logprobs": null, "finish_reason": "stop"}],
                 "usage": {"prompt_tokens": 1210, "completion_tokens": 50, "total_tokens": 1260,
                           "prompt_tokens_details": {"cached_tokens": 1000}}}"""
                .formatted(MESSAGE_ID, CREATED, MODEL)), written);
    }

    @Test
    void response_toolUseBlocks_areToolCallsWithJsonStringArguments() {
        ChatResponse r = answer(message(List.of(text("Let me check."),
                toolUse("toolu_01A", "get_weather", "{\"city\":\"Paris\",\"days\":[1,2]}"),
                toolUse("toolu_01B", "get_time", "{}")), "tool_use", usage(40, 0, 0, 30)));

        ChatChoice c = r.choices().get(0);
        assertEquals("Let me check.", c.message().text());
        assertEquals("tool_calls", c.finishReason());
        assertEquals(tree("""
                [{"id": "toolu_01A", "type": "function",
                  "function": {"name": "get_weather", "arguments": "{\\"city\\":\\"Paris\\",\\"days\\":[1,2]}"}},
                 {"id": "toolu_01B", "type": "function", "function": {"name": "get_time", "arguments": "{}"}}]"""),
                c.message().toolCalls());

        ChatResponse onlyTools = answer(message(List.of(toolUse("toolu_01C", "get_time", "{}")), "tool_use",
                usage(40, 0, 0, 10)));
        assertNull(onlyTools.choices().get(0).message().content(), "no text: content is null, as OpenAI sends");
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
            "end_turn, stop", "stop_sequence, stop", "max_tokens, length", "tool_use, tool_calls",
            "refusal, content_filter", "model_context_window_exceeded, length", "pause_turn, stop",
            "some_new_reason, null"})
    void response_stopReasons(String stopReason, String finishReason) {
        ChatResponse r = answer(message(List.of(text("x")), stopReason, usage(1, 0, 0, 1)));
        assertEquals(finishReason, r.choices().get(0).finishReason());
    }

    @Test
    void response_notAMessage_isAnInvalidResponse() {
        for (Reply reply : List.of(Reply.json(200, "{\"id\": \"msg_1\", \"content\": ["),
                Reply.json(200, "{\"type\": \"completion\", \"completion\": \"hi\"}"),
                Reply.json(200, "{\"type\": \"message\", \"id\": \"msg_1\"}"),
                Reply.json(200, "[1, 2]"),
                Reply.raw(200, "text/html", "<html><body>Bad gateway</body></html>"))) {
            server.respond(reply);
            GatewayException e = assertThrows(GatewayException.class, () -> provider.chat(call(body(HELLO, ""))));
            assertEquals(ErrorKind.UPSTREAM_INVALID_RESPONSE, e.kind());
            assertEquals(502, e.status());
        }
    }

    // ================================================================ streaming

    @Test
    void stream_text_exactChunks_pingIgnored_usageChunkLast() {
        List<String> events = List.of(messageStart(25, 100, 400), textStart(0), ping(), textDelta(0, "Hel"),
                textDelta(0, "lo \"ü\" 😀"), ping(), blockStop(0), messageDelta("end_turn", 15), messageStop());

        List<String> sunk = streamed(events, "\"stream\": true, \"stream_options\": {\"include_usage\": true}");

        assertEquals(trees(List.of(
                chunk("{\"role\":\"assistant\",\"content\":\"\"}", null),
                chunk("{\"content\":\"Hel\"}", null),
                chunk("{\"content\":\"lo \\\"ü\\\" 😀\"}", null),
                chunk("{}", "stop"),
                "{\"id\":\"" + MESSAGE_ID + "\",\"object\":\"chat.completion.chunk\",\"created\":" + CREATED
                        + ",\"model\":\"" + MODEL + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":525,"
                        + "\"completion_tokens\":15,\"total_tokens\":540,\"prompt_tokens_details\":"
                        + "{\"cached_tokens\":400}}}")), trees(sunk));
        Recorded got = server.onlyRequest();
        assertEquals(tree("true"), got.json().get("stream"));
        assertFalse(got.json().has("stream_options"), "Anthropic has no stream_options");
        assertEquals("text/event-stream", got.header("accept"));
        assertEquals(KEY, got.header("x-api-key"));
    }

    @Test
    void stream_withoutIncludeUsage_noUsageChunk_butTheResultHasUsage() {
        server.respond(Reply.sse(FakeAnthropicServer.textStream(List.of("a", "b"), "max_tokens", 9, 2)));
        List<String> sunk = new ArrayList<>();

        StreamResult r = provider.stream(call(body(HELLO, "\"stream\": true")),
                StreamSink.chunks(b -> sunk.add(new String(b, StandardCharsets.UTF_8))));

        assertEquals(4, sunk.size(), "role, two pieces, finish: " + sunk);
        assertEquals(tree(chunk("{}", "length")), tree(sunk.get(3)));
        assertEquals(4, r.chunks());
        assertEquals("length", r.finishReason());
        assertEquals(9, r.usage().promptTokens());
        assertEquals(2, r.usage().completionTokens());
    }

    @Test
    void stream_toolCalls_argumentsInFragments_twoCallsIndexed() {
        List<String> events = List.of(messageStart(50, 0, 0),
                textStart(0), textDelta(0, "Checking."), blockStop(0),
                toolStart(1, "toolu_01A", "get_weather"), jsonDelta(1, ""), jsonDelta(1, "{\"city\": "),
                jsonDelta(1, "\"Par"), jsonDelta(1, "is\"}"), blockStop(1),
                toolStart(2, "toolu_01B", "get_time"), jsonDelta(2, "{}"), blockStop(2),
                messageDelta("tool_use", 60), messageStop());
        server.respond(Reply.sse(events));
        List<String> sunk = new ArrayList<>();
        StreamAssembler assembler = new StreamAssembler();

        StreamResult r = provider.stream(call(body(HELLO, "\"stream\": true")), StreamSink.tee(
                StreamSink.chunks(b -> sunk.add(new String(b, StandardCharsets.UTF_8))), assembler));

        assertEquals(trees(List.of(
                chunk("{\"role\":\"assistant\",\"content\":\"\"}", null),
                chunk("{\"content\":\"Checking.\"}", null),
                chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"toolu_01A\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}", null),
                chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\": \"}}]}", null),
                chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Par\"}}]}", null),
                chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"is\\\"}\"}}]}", null),
                chunk("{\"tool_calls\":[{\"index\":1,\"id\":\"toolu_01B\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"get_time\",\"arguments\":\"\"}}]}", null),
                chunk("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{}\"}}]}", null),
                chunk("{}", "tool_calls"))), trees(sunk));
        assertEquals("tool_calls", r.finishReason());
        ChatResponse whole = assembler.result();
        assertNotNull(whole);
        assertEquals("Checking.", whole.choices().get(0).message().text());
        assertEquals(tree("""
                [{"id": "toolu_01A", "type": "function",
                  "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}},
                 {"id": "toolu_01B", "type": "function", "function": {"name": "get_time", "arguments": "{}"}}]"""),
                whole.choices().get(0).message().toolCalls());
    }

    @Test
    void stream_unknownEventsAndBlocks_areIgnored_eventsWithoutNamesUseTheirType() {
        List<String> events = List.of(
                "data: " + tree(messageStart(5, 0, 0).split("data: ")[1]).toString() + "\n\n", // no event: line
                event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                        + "{\"type\":\"thinking\",\"thinking\":\"\"}}"),
                event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                        + "{\"type\":\"thinking_delta\",\"thinking\":\"Hmm.\"}}"),
                event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                        + "{\"type\":\"signature_delta\",\"signature\":\"EqQBCg\"}}"),
                blockStop(0),
                event("message_annotation", "{\"type\":\"message_annotation\",\"note\":\"new event type\"}"),
                textStart(1), textDelta(1, "Hi"), blockStop(1), messageDelta("end_turn", 3), messageStop(),
                event("message_start", "{\"not\": \"read: the stream ended at message_stop\"}"));

        List<String> sunk = streamed(events, "\"stream\": true");

        assertEquals(trees(List.of(chunk("{\"role\":\"assistant\",\"content\":\"\"}", null),
                chunk("{\"content\":\"Hi\"}", null), chunk("{}", "stop"))), trees(sunk));
    }

    @Test
    void stream_eventsSplitAcrossWrites_CRLF_andComments() {
        String delta = textDelta(0, "Hello").replace("\n", "\r\n");
        server.respond(Reply.sse(List.of(": comment\r\n\r\n", messageStart(5, 0, 0).replace("\n", "\r\n"),
                textStart(0), delta.substring(0, 30), delta.substring(30), messageDelta("end_turn", 1),
                messageStop())));
        List<String> sunk = new ArrayList<>();

        provider.stream(call(body(HELLO, "\"stream\": true")),
                StreamSink.chunks(b -> sunk.add(new String(b, StandardCharsets.UTF_8))));

        assertEquals(3, sunk.size());
        assertEquals("Hello", tree(sunk.get(1)).path("choices").path(0).path("delta").path("content").asText());
    }

    @Test
    void stream_endsBeforeMessageStop_isTruncated_evenAfterItsFinishChunk() {
        List<String> sunk = new ArrayList<>();
        server.respond(Reply.sse(List.of(messageStart(5, 0, 0), textStart(0), textDelta(0, "Hel"))));
        GatewayException midway = streamFails(sunk);
        assertEquals(ErrorKind.STREAM_TRUNCATED, midway.kind());
        assertEquals(502, midway.status());
        assertEquals(2, sunk.size());

        sunk.clear();
        server.respond(Reply.sse(List.of(messageStart(5, 0, 0), textStart(0), textDelta(0, "Hel"), blockStop(0),
                messageDelta("end_turn", 2))));
        GatewayException afterFinish = streamFails(sunk);
        assertEquals(ErrorKind.STREAM_TRUNCATED, afterFinish.kind(), "no message_stop: not complete");
        assertEquals(3, sunk.size());

        sunk.clear();
        server.respond(Reply.sse(List.of(messageStart(5, 0, 0), textStart(0), "event: message_stop\ndata: {\"ty")));
        assertEquals(ErrorKind.STREAM_TRUNCATED, streamFails(sunk).kind(), "cut inside the terminal event");

        sunk.clear();
        server.respond(Reply.sse(List.of(": nothing but a comment\n\n")));
        GatewayException empty = streamFails(sunk);
        assertEquals(ErrorKind.UPSTREAM_INVALID_RESPONSE, empty.kind(), "no events at all");
        assertTrue(sunk.isEmpty());
    }

    @ParameterizedTest
    @CsvSource({
            "overloaded_error, UPSTREAM_ERROR, upstream_stream_error",
            "api_error, UPSTREAM_ERROR, upstream_stream_error",
            "timeout_error, UPSTREAM_ERROR, upstream_stream_error",
            "brand_new_error, UPSTREAM_ERROR, upstream_stream_error",
            "rate_limit_error, RATE_LIMITED, rate_limit_exceeded",
            "invalid_request_error, UPSTREAM_INVALID_REQUEST, upstream_invalid_request",
            "request_too_large, UPSTREAM_INVALID_REQUEST, upstream_invalid_request",
            "authentication_error, UPSTREAM_AUTHENTICATION, upstream_authentication_failed",
            "permission_error, UPSTREAM_AUTHENTICATION, upstream_authentication_failed",
            "not_found_error, MODEL_NOT_FOUND, model_not_found"})
    void stream_errorEvent_mappedByItsType_neverItsMessage(String type, ErrorKind kind, String code) {
        String secret = "prompt said my PIN is 4321";
        List<String> sunk = new ArrayList<>();
        server.respond(Reply.sse(List.of(messageStart(5, 0, 0), textStart(0), textDelta(0, "Par"),
                errorEvent(type, secret), messageStop())));

        GatewayException e = streamFails(sunk);

        assertEquals(kind, e.kind());
        assertEquals(code, e.code());
        assertEquals(2, sunk.size(), "the chunks before the error were delivered, nothing after");
        assertFalse(e.getMessage().contains("4321"), e.getMessage());

        sunk.clear();
        server.respond(Reply.sse(List.of(errorEvent(type, secret))));
        assertEquals(kind, streamFails(sunk).kind(), "an error as the first event");
        assertTrue(sunk.isEmpty());
    }

    @Test
    void stream_protocolViolations_areInvalidResponses() {
        List<String> sunk = new ArrayList<>();
        Map<String, Reply> cases = new LinkedHashMap<>();
        cases.put("content before message_start", Reply.sse(List.of(textStart(0), textDelta(0, "x"),
                messageStop())));
        cases.put("not JSON", Reply.sse(List.of(messageStart(5, 0, 0), "event: content_block_delta\ndata: {oops\n\n",
                messageStop())));
        cases.put("JSON array", Reply.sse(List.of("event: message_start\ndata: [1]\n\n")));
        cases.put("tool input for a text block", Reply.sse(List.of(messageStart(5, 0, 0), textStart(0),
                jsonDelta(0, "{}"), messageStop())));
        cases.put("two message_starts", Reply.sse(List.of(messageStart(5, 0, 0), messageStart(5, 0, 0))));
        cases.put("message without id", Reply.sse(List.of(event("message_start",
                "{\"type\":\"message_start\",\"message\":{\"type\":\"message\"}}"))));
        cases.put("a whole message instead of a stream", Reply.json(200, message(List.of(text("x")), "end_turn",
                usage(1, 0, 0, 1))));
        cases.put("an event stream under the wrong type", Reply.raw(200, "application/json",
                String.join("", FakeAnthropicServer.textStream(List.of("x"), "end_turn", 1, 1))));
        List<Executable> checks = new ArrayList<>();
        for (Map.Entry<String, Reply> c : cases.entrySet()) {
            server.respond(c.getValue());
            GatewayException e = streamFails(sunk);
            checks.add(() -> assertEquals(ErrorKind.UPSTREAM_INVALID_RESPONSE, e.kind(), c.getKey()));
        }
        assertAll(checks);
    }

    // ================================================================ errors

    @ParameterizedTest
    @CsvSource({
            "400, invalid_request_error, UPSTREAM_INVALID_REQUEST, 400",
            "401, authentication_error, UPSTREAM_AUTHENTICATION, 502",
            "403, permission_error, UPSTREAM_AUTHENTICATION, 502",
            "404, not_found_error, MODEL_NOT_FOUND, 404",
            "413, request_too_large, UPSTREAM_INVALID_REQUEST, 400",
            "429, rate_limit_error, RATE_LIMITED, 429",
            "500, api_error, UPSTREAM_ERROR, 502",
            "504, timeout_error, UPSTREAM_ERROR, 502",
            "529, overloaded_error, UPSTREAM_ERROR, 502"})
    void errorStatus_mapsIntoTheTaxonomy_wholeAndStreamed(int status, String type, ErrorKind kind, int gateway) {
        String upstreamMessage = "messages.0: the prompt 'my PIN is 4321' is not allowed";
        server.respond(Reply.error(status, type, upstreamMessage));

        GatewayException whole = assertThrows(GatewayException.class, () -> provider.chat(call(body(HELLO, ""))));
        GatewayException streamed = streamFails(new ArrayList<>());

        for (GatewayException e : List.of(whole, streamed)) {
            assertEquals(kind, e.kind());
            assertEquals(gateway, e.status());
            assertEquals(kind.retriable(), e.kind().retriable());
            assertFalse(e.getMessage().contains("4321"), e.getMessage());
            assertFalse(e.getMessage().contains("messages.0"), e.getMessage());
            assertTrue(e.getMessage().contains("'claude'"), e.getMessage());
        }
    }

    @Test
    void errorStatus_429And529_keepRetryAfter() {
        server.respond(Reply.error(429, "rate_limit_error", "Number of request tokens has exceeded your limit.")
                .withHeader("retry-after", "30")
                .withHeader("anthropic-ratelimit-input-tokens-remaining", "0"));
        GatewayException limited = assertThrows(GatewayException.class, () -> provider.chat(call(body(HELLO, ""))));
        assertEquals(ErrorKind.RATE_LIMITED, limited.kind());
        assertEquals(429, limited.status());
        assertEquals(30, limited.retryAfterSeconds());
        assertEquals(30, streamFails(new ArrayList<>()).retryAfterSeconds());

        server.respond(Reply.error(429, "rate_limit_error", "slow down"));
        assertEquals(-1, assertThrows(GatewayException.class, () -> provider.chat(call(body(HELLO, ""))))
                .retryAfterSeconds());

        server.respond(Reply.error(529, "overloaded_error", "Overloaded").withHeader("retry-after", "4"));
        GatewayException overloaded = assertThrows(GatewayException.class,
                () -> provider.chat(call(body(HELLO, ""))));
        assertEquals(ErrorKind.UPSTREAM_ERROR, overloaded.kind());
        assertTrue(overloaded.kind().retriable());
        assertEquals(4, overloaded.retryAfterSeconds());
        assertTrue(overloaded.getMessage().contains("overloaded"), overloaded.getMessage());
    }

    @Test
    void timeout_wholeAnswer() {
        server.respond(Reply.json(200, message(List.of(text("late")), "end_turn", usage(1, 0, 0, 1)))
                .withDelay(Duration.ofSeconds(2)));
        long start = System.nanoTime();
        GatewayException e = assertThrows(GatewayException.class,
                () -> provider.chat(call(body(HELLO, ""), Duration.ofMillis(300))));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(ErrorKind.UPSTREAM_TIMEOUT, e.kind());
        assertEquals(504, e.status());
        assertTrue(ms >= 250 && ms < 1500, "gave up at 300 ms: " + ms);
    }

    @Test
    void timeout_streamFirstEvent() {
        server.respond(Reply.sse(FakeAnthropicServer.textStream(List.of("late"), "end_turn", 1, 1))
                .withDelay(Duration.ofSeconds(2)));
        ProviderCall c = call(body(HELLO, "\"stream\": true"), Duration.ofMillis(300))
                .streaming(Duration.ofSeconds(5), Long.MAX_VALUE, null, null);
        long start = System.nanoTime();
        GatewayException e = assertThrows(GatewayException.class, () -> provider.stream(c, StreamSink.chunks(b -> {
        })));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(ErrorKind.UPSTREAM_TIMEOUT, e.kind());
        assertTrue(ms < 1500, "gave up at the 300 ms first-event bound: " + ms);
    }

    @Test
    void timeout_streamSilenceBetweenEventsOverTheIdleTimeout() {
        server.respond(Reply.sse(FakeAnthropicServer.textStream(List.of("a", "b", "c", "d"), "end_turn", 1, 4))
                .withPartDelay(Duration.ofMillis(200)));
        ProviderCall c = call(body(HELLO, "\"stream\": true"), Duration.ofMillis(1000))
                .streaming(Duration.ofMillis(100), Long.MAX_VALUE, null, null);
        List<String> got = new ArrayList<>();

        long start = System.nanoTime();
        GatewayException e = assertThrows(GatewayException.class,
                () -> provider.stream(c, StreamSink.chunks(b -> got.add(new String(b, StandardCharsets.UTF_8)))));
        long ms = (System.nanoTime() - start) / 1_000_000;

        assertEquals(ErrorKind.UPSTREAM_TIMEOUT, e.kind());
        assertEquals(504, e.status());
        assertTrue(got.size() <= 1, "gave up at the first silence, got " + got.size() + " chunks");
        assertTrue(ms < 1500, "gave up after the 100 ms idle timeout, took " + ms);
    }

    @Test
    void timeout_pingsKeepASlowStreamAlive_butNotPastItsDeadline() {
        List<String> events = new ArrayList<>(List.of(messageStart(1, 0, 0), textStart(0)));
        for (int i = 0; i < 12; i++) {
            events.add(ping());
        }
        events.addAll(List.of(textDelta(0, "done"), blockStop(0), messageDelta("end_turn", 1), messageStop()));
        server.respond(Reply.sse(events).withPartDelay(Duration.ofMillis(60)));

        ProviderCall ok = call(body(HELLO, "\"stream\": true"), Duration.ofSeconds(2))
                .streaming(Duration.ofMillis(300), Long.MAX_VALUE, null, null);
        StreamResult r = provider.stream(ok, StreamSink.chunks(b -> { }));
        assertEquals("stop", r.finishReason(), "pings every 60 ms keep a 300 ms idle bound from expiring");

        ProviderCall late = call(body(HELLO, "\"stream\": true"), Duration.ofSeconds(2))
                .streaming(Duration.ofMillis(300), System.nanoTime() + 400_000_000L, null, null);
        GatewayException e = assertThrows(GatewayException.class,
                () -> provider.stream(late, StreamSink.chunks(b -> { })));
        assertEquals(ErrorKind.UPSTREAM_TIMEOUT, e.kind(), "the deadline still holds");
    }

    // ================================================================ keys and connections

    @Test
    void missingKey_isAnInternalError_andNothingGoesOut() {
        AnthropicProvider keyless = provider(server.baseUrl(), Map.of(), null, Map.of());
        GatewayException e = assertThrows(GatewayException.class, () -> keyless.chat(call(body(HELLO, ""))));
        assertEquals(ErrorKind.INTERNAL, e.kind());
        assertTrue(server.requests().isEmpty());
    }

    @Test
    void connectionRefused_isUpstreamUnavailable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        AnthropicProvider nowhere = provider(URI.create("http://127.0.0.1:" + port + "/v1"),
                Map.of("ANTHROPIC_API_KEY", KEY), null, Map.of());
        GatewayException e = assertThrows(GatewayException.class, () -> nowhere.chat(call(body(HELLO, ""))));
        assertEquals(ErrorKind.UPSTREAM_ERROR, e.kind());
        assertEquals("upstream_unavailable", e.code());
    }

    @Test
    void upstreamTime_isCounted() {
        server.respond(Reply.json(200, message(List.of(text("slow")), "end_turn", usage(1, 0, 0, 1)))
                .withDelay(Duration.ofMillis(100)));
        ProviderCall c = call(body(HELLO, ""));
        provider.chat(c);
        assertTrue(c.upstreamNanos() >= 90_000_000L, "upstream time covers the 100 ms: " + c.upstreamNanos());

        server.respond(Reply.sse(FakeAnthropicServer.textStream(List.of("a", "b"), "end_turn", 1, 2))
                .withPartDelay(Duration.ofMillis(30)));
        ProviderCall s = call(body(HELLO, "\"stream\": true"));
        provider.stream(s, StreamSink.chunks(b -> { }));
        assertTrue(s.upstreamNanos() >= 150_000_000L, "stream waits are upstream time: " + s.upstreamNanos());
        assertTrue(s.firstEventNanos() > 0);
    }

    @Test
    void keyAndPromptNeverInAnyException() throws IOException {
        String prompt = "PROMPT-7c1e: my PIN is 4321";
        String echo = "invalid x-api-key " + KEY + " for prompt " + prompt;
        String hello = "[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]";
        Map<String, Reply> whole = new LinkedHashMap<>();
        for (int status : new int[] {400, 401, 403, 404, 413, 429, 500, 529}) {
            whole.put("HTTP " + status, Reply.error(status, "invalid_request_error", echo)
                    .withHeader("retry-after", KEY));
        }
        whole.put("html 502", Reply.raw(502, "text/html", "<html>" + echo + "</html>"));
        whole.put("malformed", Reply.json(200, "{\"id\": \"" + KEY + "\", \"content\": [" + prompt));
        whole.put("not a message", Reply.json(200, "{\"type\": \"" + KEY + "\"}"));
        whole.put("timeout", Reply.json(200, message(List.of(text(KEY)), "end_turn", usage(1, 0, 0, 1)))
                .withDelay(Duration.ofSeconds(2)));
        Map<String, Reply> streams = new LinkedHashMap<>();
        streams.put("stream 401", Reply.error(401, "authentication_error", echo));
        streams.put("stream not json", Reply.sse(List.of(messageStart(1, 0, 0), "event: ping\ndata: key="
                + KEY + " " + prompt + "\n\n")));
        streams.put("stream error event", Reply.sse(List.of(messageStart(1, 0, 0), errorEvent("api_error", echo))));
        streams.put("stream error event 4xx", Reply.sse(List.of(errorEvent("invalid_request_error", echo))));
        streams.put("stream cut", Reply.sse(List.of(messageStart(1, 0, 0), textDelta(0, KEY))));
        streams.put("stream json", Reply.json(200, message(List.of(text(echo)), "end_turn", usage(1, 0, 0, 1))));

        List<Executable> checks = new ArrayList<>();
        for (Map.Entry<String, Reply> s : whole.entrySet()) {
            server.respond(s.getValue());
            GatewayException e = assertThrows(GatewayException.class,
                    () -> provider.chat(call(body(hello, ""), Duration.ofMillis(300))), s.getKey());
            checks.add(() -> assertSafe(s.getKey(), e, prompt));
        }
        for (Map.Entry<String, Reply> s : streams.entrySet()) {
            server.respond(s.getValue());
            GatewayException e = assertThrows(GatewayException.class, () -> provider.stream(
                    call(body(hello, "\"stream\": true")), StreamSink.chunks(b -> { })), s.getKey());
            checks.add(() -> assertSafe(s.getKey(), e, prompt));
        }
        GatewayException refused = assertThrows(GatewayException.class, () -> provider.chat(call(body(
                "[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"ftp://" + KEY
                        + "\"}}]}]", "\"temperature\": 1.9"))));
        checks.add(() -> assertSafe("refused parameter", refused, prompt));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        AnthropicProvider nowhere = provider(URI.create("http://127.0.0.1:" + port + "/v1"),
                Map.of("ANTHROPIC_API_KEY", KEY), null, Map.of());
        GatewayException unreachable = assertThrows(GatewayException.class,
                () -> nowhere.chat(call(body(hello, ""))));
        checks.add(() -> assertSafe("connection refused", unreachable, prompt));
        assertAll(checks);
        assertEquals(whole.size() + streams.size(), server.requests().size());
        for (Recorded r : server.requests()) {
            assertEquals(KEY, r.header("x-api-key"), "the key was in play in every scenario");
        }
    }

    private static void assertSafe(String scenario, GatewayException e, String prompt) {
        String body = new String(ChatJson.writeError(e), StandardCharsets.UTF_8);
        for (String secret : List.of(KEY, prompt, "4321")) {
            assertFalse(e.getMessage().contains(secret), () -> scenario + ": in message: " + e.getMessage());
            assertFalse(String.valueOf(e.code()).contains(secret), () -> scenario + ": in code: " + e.code());
            assertFalse(String.valueOf(e.param()).contains(secret), () -> scenario + ": in param: " + e.param());
            assertFalse(body.contains(secret), () -> scenario + ": in the error body: " + body);
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                Throwable cause = t;
                assertFalse(String.valueOf(cause.getMessage()).contains(secret),
                        () -> scenario + ": in cause " + cause);
            }
        }
    }
}
