package io.switchboard.core.provider.openai;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.provider.ProviderCall;
import io.switchboard.core.stream.StreamResult;
import io.switchboard.core.stream.StreamSink;
import io.switchboard.core.provider.openai.FakeOpenAiServer.Recorded;
import io.switchboard.core.provider.openai.FakeOpenAiServer.Reply;
import io.switchboard.core.secrets.SecretResolver;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatChoice;
import io.switchboard.shared.chat.ChatRequest;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.config.ProviderConfig;
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
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** {@link OpenAiProvider} against a loopback server speaking OpenAI's wire format. */
class OpenAiProviderTest {
    private static final String KEY = "sk-test-secret-123";
    private static final String PROVIDER_MODEL = "gpt-4o-mini-2024";
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private static Http1Client sharedHttpClient;

    private FakeOpenAiServer server;
    private OpenAiProvider provider;

    @BeforeAll
    static void buildClient() {
        // as the gateway builds its one client (Gateway.newHttpClient)
        sharedHttpClient = Http1Client.withDefaults();
    }

    @AfterAll
    static void closeClient() {
        sharedHttpClient.close();
    }

    @BeforeEach
    void startServer() throws IOException {
        server = FakeOpenAiServer.start();
        provider = provider(server.baseUrl(), Map.of("OPENAI_API_KEY", KEY));
    }

    @AfterEach
    void stopServer() {
        server.close();
        assertTrue(server.failures().isEmpty(), () -> "fake server failed: " + server.failures());
    }

    private static OpenAiProvider provider(URI baseUrl, Map<String, String> env) {
        Supplier<Http1Client> client = () -> sharedHttpClient;
        return new OpenAiProvider(
                ProviderConfig.openai("openai", baseUrl, new SecretRef(SecretRef.Source.ENV, "OPENAI_API_KEY"),
                        TIMEOUT),
                client,
                new SecretResolver(env, name -> {
                    throw new IllegalStateException();
                }, System::nanoTime, Duration.ofMinutes(5)),
                InstantSource.system());
    }

    private static ChatRequest request(String json) {
        return ChatRequestReader.read(json.getBytes(StandardCharsets.UTF_8));
    }

    private static ProviderCall call(ChatRequest request) {
        return call(request, TIMEOUT);
    }

    private static ProviderCall call(ChatRequest request, Duration timeout) {
        return new ProviderCall(request, PROVIDER_MODEL, timeout, "req-1", System::nanoTime);
    }

    private static JsonNode tree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode tree(byte[] json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Set<String> fieldNames(JsonNode n) {
        Set<String> names = new HashSet<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    private static final String SIMPLE = """
            {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}]}""";

    private static final String SIMPLE_STREAM = """
            {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}], "stream": true,
             "stream_options": {"include_usage": true}}""";

    private GatewayException chatFails() {
        return assertThrows(GatewayException.class, () -> provider.chat(call(request(SIMPLE))));
    }

    private GatewayException streamFails(List<String> sunk) {
        return assertThrows(GatewayException.class,
                () -> provider.stream(call(request(SIMPLE_STREAM)),
                        StreamSink.chunks(b -> sunk.add(new String(b, StandardCharsets.UTF_8)))));
    }

    // ---------------------------------------------------------------- chat

    @Test
    void chat_success() {
        String caller = """
                {
                  "model": "gpt-4o-mini",
                  "messages": [
                    {"role": "system", "content": "You are a terse weather bot."},
                    {"role": "user", "content": "Weather in Paris? Answer as JSON.", "name": "alice"}
                  ],
                  "temperature": 0.2,
                  "top_p": 0.9,
                  "max_completion_tokens": 256,
                  "stop": ["\\n\\n", "END"],
                  "n": 1,
                  "seed": 42,
                  "response_format": {"type": "json_schema", "json_schema": {"name": "weather", "strict": true,
                    "schema": {"type": "object", "properties": {"city": {"type": "string"},
                      "celsius": {"type": "number"}}, "required": ["city", "celsius"],
                      "additionalProperties": false}}},
                  "tools": [{"type": "function", "function": {"name": "get_weather",
                    "description": "Current weather for a city",
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"},
                      "unit": {"type": "string", "enum": ["c", "f"]}}, "required": ["city"]}, "strict": false}}],
                  "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
                  "parallel_tool_calls": false,
                  "user": "user-1234",
                  "presence_penalty": 0.5,
                  "frequency_penalty": -0.25,
                  "logit_bias": {"50256": -100},
                  "x_vendor_flag": true,
                  "reasoning_effort": "low",
                  "metadata": {"team": "search", "trace": "abc-123"},
                  "stream": false
                }""";
        String content = "{\"city\": \"Paris\", \"celsius\": 18.5} — \"sunny\" ☀";
        String upstreamBody = FakeOpenAiServer.completion(content);
        server.respond(Reply.json(200, upstreamBody));

        ChatResponse r = provider.chat(call(request(caller)));

        // the response, mapped
        assertEquals(FakeOpenAiServer.COMPLETION_ID, r.id());
        assertEquals(FakeOpenAiServer.MODEL, r.model());
        assertEquals(1741570283L, r.created());
        assertEquals(1, r.choices().size());
        ChatChoice choice = r.choices().get(0);
        assertEquals(0, choice.index());
        assertEquals(content, choice.message().text());
        assertEquals("stop", choice.finishReason());
        assertEquals(19, r.usage().promptTokens());
        assertEquals(10, r.usage().completionTokens());
        assertEquals(29, r.usage().totalTokens());
        assertEquals(tree("{\"cached_tokens\": 0, \"audio_tokens\": 0}"),
                r.usage().extensions().get("prompt_tokens_details"));
        assertEquals("fp_06737a9306", r.systemFingerprint());
        assertEquals(tree("\"default\""), r.extensions().get("service_tier"));
        // ...and written back out, nothing the provider sent is lost (service_tier, refusal, usage details)
        JsonNode reEmitted = tree(ChatJson.writeResponse(r));
        assertEquals("default", reEmitted.path("service_tier").asText());
        assertTrue(reEmitted.path("choices").path(0).path("message").has("refusal"));
        assertEquals(tree(upstreamBody), reEmitted);

        // the request, as the upstream received it
        Recorded got = server.onlyRequest();
        assertEquals("POST", got.method());
        assertEquals("/v1/chat/completions", got.path());
        assertEquals("Bearer " + KEY, got.header("authorization"));
        assertTrue(got.header("content-type").startsWith("application/json"), got.header("content-type"));
        assertEquals("req-1", got.header("x-request-id"));
        assertEquals("application/json", got.header("accept"));
        JsonNode sent = tree(caller);
        JsonNode up = got.json();
        assertEquals(PROVIDER_MODEL, up.path("model").asText());
        assertFalse(up.has("stream"), "stream must be absent on a non-streamed call: " + up);
        assertFalse(up.has("stream_options"), up::toString);
        Set<String> expectedFields = fieldNames(sent);
        expectedFields.remove("stream");
        assertEquals(expectedFields, fieldNames(up));
        for (String field : expectedFields) {
            if (!field.equals("model")) {
                assertEquals(sent.get(field), up.get(field), "field '" + field + "' changed on the way upstream");
            }
        }
        // spelled out for the ones that matter most
        assertEquals(tree("true"), up.get("x_vendor_flag"));
        assertEquals("low", up.path("reasoning_effort").asText());
        assertEquals(sent.get("metadata"), up.get("metadata"));
        assertEquals(sent.get("tools"), up.get("tools"));
        assertEquals(sent.get("tool_choice"), up.get("tool_choice"));
        assertEquals(sent.get("response_format"), up.get("response_format"));
        assertEquals(tree("[\"\\n\\n\", \"END\"]"), up.get("stop"));
        assertEquals(42, up.path("seed").asLong());
        assertEquals(256, up.path("max_completion_tokens").asInt());
    }

    @Test
    void chat_contentParts() {
        String caller = """
                {
                  "model": "gpt-4o-mini",
                  "messages": [
                    {"role": "developer", "content": [{"type": "text", "text": "Describe images briefly."}]},
                    {"role": "user", "content": [
                      {"type": "text", "text": "What is in this image?"},
                      {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==",
                        "detail": "low"}},
                      {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}}
                    ]},
                    {"role": "assistant", "content": null, "tool_calls": [{"id": "call_abc123", "type": "function",
                      "function": {"name": "zoom", "arguments": "{\\"factor\\": 2}"}}]},
                    {"role": "tool", "tool_call_id": "call_abc123", "content": [{"type": "text", "text": "zoomed"}]},
                    {"role": "user", "content": "And now?", "x_message_tag": {"k": [1, 2.5, null]}}
                  ],
                  "tools": [{"type": "function", "function": {"name": "zoom", "parameters": {"type": "object"}}}]
                }""";
        server.respond(Reply.json(200, FakeOpenAiServer.completion("A cat on a sofa.")));

        ChatResponse r = provider.chat(call(request(caller)));

        assertEquals("A cat on a sofa.", r.choices().get(0).message().text());
        JsonNode up = server.onlyRequest().json();
        assertEquals(tree(caller).get("messages"), up.get("messages"));
        assertEquals(PROVIDER_MODEL, up.path("model").asText());
    }

    @Test
    void chat_429() {
        String body = FakeOpenAiServer.errorJson("Rate limit reached for gpt-4o-mini in organization org-abc on "
                + "tokens per min (TPM): Limit 200000, Used 199800, Requested 500. Please try again in 12s.",
                "tokens", null, "rate_limit_exceeded");
        server.respond(Reply.json(429, body).withHeader("Retry-After", "12")
                .withHeader("x-ratelimit-remaining-tokens", "0"));

        GatewayException e = chatFails();
        assertEquals(ErrorKind.RATE_LIMITED, e.kind());
        assertEquals(429, e.status());
        assertEquals(12, e.retryAfterSeconds());
        assertEquals("rate_limit_exceeded", e.code());
        assertFalse(e.getMessage().contains("org-abc"), e.getMessage());

        // OpenAI's millisecond variant, rounded up to whole seconds
        server.respond(Reply.json(429, body).withHeader("retry-after-ms", "2500"));
        GatewayException ms = chatFails();
        assertEquals(ErrorKind.RATE_LIMITED, ms.kind());
        assertEquals(429, ms.status());
        assertEquals(3, ms.retryAfterSeconds());

        // without either header there is nothing to pass on
        server.respond(Reply.json(429, body));
        assertEquals(-1, chatFails().retryAfterSeconds());
    }

    @Test
    void chat_5xx() {
        server.respond(Reply.error(500, "The server had an error while processing your request. Sorry about that!",
                "server_error", null, null));
        GatewayException e = chatFails();
        assertEquals(ErrorKind.UPSTREAM_ERROR, e.kind());
        assertEquals(502, e.status());
        assertFalse(e.getMessage().contains("Sorry about that"), e.getMessage());

        server.respond(Reply.error(503, "The engine is currently overloaded, please try again later.",
                "server_error", null, null).withHeader("Retry-After", "7"));
        GatewayException overloaded = chatFails();
        assertEquals(ErrorKind.UPSTREAM_ERROR, overloaded.kind());
        assertEquals(502, overloaded.status());
        assertEquals(7, overloaded.retryAfterSeconds());
    }

    @Test
    void chat_401() {
        server.respond(Reply.error(401, "Incorrect API key provided: " + KEY + ". You can find your API key at "
                + "https://platform.openai.com/account/api-keys.", "invalid_request_error", null, "invalid_api_key"));
        GatewayException e = chatFails();
        assertEquals(ErrorKind.UPSTREAM_AUTHENTICATION, e.kind());
        assertEquals(502, e.status());
        assertEquals("upstream_authentication_failed", e.code());
        assertFalse(e.getMessage().contains("Incorrect API key"), e.getMessage());
        assertFalse(e.getMessage().contains(KEY), e.getMessage());
    }

    @Test
    void chat_400() {
        String upstreamMessage = "Invalid 'temperature': the secret prompt text 'my bank PIN is 4321' is not a number";
        server.respond(Reply.error(400, upstreamMessage, "invalid_request_error", "temperature", "invalid_value"));
        GatewayException e = chatFails();
        assertEquals(ErrorKind.UPSTREAM_INVALID_REQUEST, e.kind());
        assertEquals(400, e.status());
        assertEquals("temperature", e.param());
        assertEquals("invalid_value", e.code());
        assertFalse(e.getMessage().contains(upstreamMessage), e.getMessage());
        assertFalse(e.getMessage().contains("secret prompt text"), e.getMessage());
        assertFalse(e.getMessage().contains("4321"), e.getMessage());
    }

    @Test
    void chat_404() {
        server.respond(Reply.error(404, "The model `gpt-4o-mini-2024` does not exist or you do not have access to it.",
                "invalid_request_error", null, "model_not_found"));
        GatewayException e = chatFails();
        assertEquals(ErrorKind.MODEL_NOT_FOUND, e.kind());
        assertEquals(404, e.status());
        assertEquals("model", e.param());
        assertFalse(e.getMessage().contains("does not have access"), e.getMessage());
    }

    @Test
    void chat_timeout() {
        AtomicInteger served = new AtomicInteger();
        server.respond(r -> served.getAndIncrement() == 0
                ? Reply.json(200, FakeOpenAiServer.completion("too late")).withDelay(Duration.ofSeconds(2))
                : Reply.json(200, FakeOpenAiServer.completion("on time")));
        ProviderCall c = call(request(SIMPLE), Duration.ofMillis(300));

        long start = System.nanoTime();
        GatewayException e = assertThrows(GatewayException.class, () -> provider.chat(c));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertEquals(ErrorKind.UPSTREAM_TIMEOUT, e.kind());
        assertEquals(504, e.status());
        assertTrue(elapsedMs < 1500, "the call should give up after its 300 ms timeout, took " + elapsedMs + " ms");
        assertTrue(elapsedMs >= 250, "the call gave up before its timeout: " + elapsedMs + " ms");
        assertEquals(1, server.requests().size());

        // the abandoned exchange leaves nothing behind: the next call gets its own answer, not the late one
        assertEquals("on time", provider.chat(call(request(SIMPLE))).choices().get(0).message().text());
    }

    @Test
    void chat_malformedJson() {
        server.respond(Reply.json(200, "{\"id\": \"x\", \"choices\": ["));
        GatewayException truncated = chatFails();
        assertEquals(ErrorKind.UPSTREAM_INVALID_RESPONSE, truncated.kind());
        assertEquals(502, truncated.status());

        server.respond(Reply.json(200, "{\"foo\":1}"));
        GatewayException noChoices = chatFails();
        assertEquals(ErrorKind.UPSTREAM_INVALID_RESPONSE, noChoices.kind());
        assertEquals(502, noChoices.status());

        server.respond(Reply.raw(200, "text/html", "<html><body>Bad gateway</body></html>"));
        assertEquals(ErrorKind.UPSTREAM_INVALID_RESPONSE, chatFails().kind());
    }

    @Test
    void chat_connectionRefused() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        OpenAiProvider nowhere = provider(URI.create("http://127.0.0.1:" + port + "/v1"),
                Map.of("OPENAI_API_KEY", KEY));

        GatewayException e = assertThrows(GatewayException.class, () -> nowhere.chat(call(request(SIMPLE))));
        assertEquals(ErrorKind.UPSTREAM_ERROR, e.kind());
        assertEquals(502, e.status());
        assertEquals("upstream_unavailable", e.code());
    }

    @Test
    void chat_upstreamTime() {
        server.respond(Reply.json(200, FakeOpenAiServer.completion("slow")).withDelay(Duration.ofMillis(100)));
        ProviderCall c = call(request(SIMPLE));
        assertEquals(0, c.upstreamNanos());

        provider.chat(c);

        assertTrue(c.upstreamNanos() > 0);
        assertTrue(c.upstreamNanos() >= 90_000_000L,
                "upstream time should cover the server's 100 ms, was " + c.upstreamNanos() / 1_000_000 + " ms");
    }

    // ---------------------------------------------------------------- stream

    @Test
    void stream_success() {
        List<String> payloads = List.of(
                FakeOpenAiServer.chunk("assistant", "", null),
                FakeOpenAiServer.chunk(null, "Hel", null),
                FakeOpenAiServer.chunk(null, "lo,", null),
                FakeOpenAiServer.chunk(null, " world \"ü\"", null),
                FakeOpenAiServer.chunk(null, null, "stop"),
                FakeOpenAiServer.usageChunk(9, 4));
        server.respond(Reply.sseData(payloads).withPartDelay(Duration.ofMillis(5)));
        String caller = """
                {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}], "stream": true,
                 "stream_options": {"include_usage": true}, "temperature": 0.7, "x_vendor_flag": true}""";
        List<String> sunk = new ArrayList<>();

        StreamResult result = provider.stream(call(request(caller)),
                StreamSink.chunks(b -> sunk.add(new String(b, StandardCharsets.UTF_8))));

        assertEquals(payloads, sunk);
        assertEquals(6, result.chunks());
        assertEquals("stop", result.finishReason());
        assertEquals(9, result.usage().promptTokens());
        assertEquals(4, result.usage().completionTokens());
        assertEquals(13, result.usage().totalTokens());
        assertNotNull(result.usage().extensions().get("prompt_tokens_details"));

        Recorded got = server.onlyRequest();
        JsonNode up = got.json();
        assertEquals(PROVIDER_MODEL, up.path("model").asText());
        assertEquals(tree("true"), up.get("stream"));
        assertEquals(tree("{\"include_usage\": true}"), up.get("stream_options"));
        assertEquals(tree("true"), up.get("x_vendor_flag"));
        assertEquals(0.7, up.path("temperature").asDouble());
        assertEquals("text/event-stream", got.header("accept"));
        assertEquals("Bearer " + KEY, got.header("authorization"));
        assertEquals("req-1", got.header("x-request-id"));
    }

    @Test
    void stream_silenceBetweenEventsOverTheIdleTimeout_timesOut() {
        // headers and the first chunk at once, then a chunk every 200 ms: more than the 100 ms idle timeout
        server.respond(Reply.sseData(trickle()).withPartDelay(Duration.ofMillis(200)));
        ProviderCall c = call(request(SIMPLE_STREAM), Duration.ofMillis(1000))
                .streaming(Duration.ofMillis(100), Long.MAX_VALUE, null, null);
        List<String> got = new ArrayList<>();

        long start = System.nanoTime();
        GatewayException e = assertThrows(GatewayException.class,
                () -> provider.stream(c, StreamSink.chunks(b -> got.add(new String(b, StandardCharsets.UTF_8)))));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertEquals(ErrorKind.UPSTREAM_TIMEOUT, e.kind());
        assertEquals(504, e.status());
        assertTrue(got.size() <= 1, "gave up at the first silence, got " + got.size() + " chunks");
        assertTrue(elapsedMs < 1500, "the call should give up after the 100 ms idle timeout, took " + elapsedMs);
    }

    @Test
    void stream_thatKeepsTalkingPastItsDeadline_timesOut() {
        // a chunk every 200 ms for 2 s: each silence is short, but the invocation's deadline comes after 500 ms
        server.respond(Reply.sseData(trickle()).withPartDelay(Duration.ofMillis(200)));
        ProviderCall c = call(request(SIMPLE_STREAM), Duration.ofMillis(1000))
                .streaming(Duration.ofMillis(1000), System.nanoTime() + 500_000_000L, null, null);
        List<String> got = new ArrayList<>();

        long start = System.nanoTime();
        GatewayException e = assertThrows(GatewayException.class,
                () -> provider.stream(c, StreamSink.chunks(b -> got.add(new String(b, StandardCharsets.UTF_8)))));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertEquals(ErrorKind.UPSTREAM_TIMEOUT, e.kind());
        assertTrue(got.size() >= 2 && got.size() < 10, "chunks arrived until the deadline: " + got.size());
        assertTrue(elapsedMs >= 450 && elapsedMs < 1500, "ended at the 500 ms deadline, took " + elapsedMs + " ms");
    }

    private static List<String> trickle() {
        List<String> payloads = new ArrayList<>();
        payloads.add(FakeOpenAiServer.chunk("assistant", "", null));
        for (int i = 0; i < 9; i++) {
            payloads.add(FakeOpenAiServer.chunk(null, "tok" + i, null));
        }
        return payloads;
    }

    @Test
    void stream_sseEdgeCases() {
        String c1 = FakeOpenAiServer.chunk("assistant", "", null);
        String c2 = FakeOpenAiServer.chunk(null, "Hi", null);
        String c3 = FakeOpenAiServer.chunk(null, " there", null);
        String c4 = FakeOpenAiServer.chunk(null, null, "length");
        String c5a = "{\"id\":\"" + FakeOpenAiServer.COMPLETION_ID + "\",\"object\":\"chat.completion.chunk\",";
        String c5b = "\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}";
        // an annotation chunk after the finish (as Azure's content filter sends): its null finish_reason is no finish
        String c6 = "{\"id\":\"" + FakeOpenAiServer.COMPLETION_ID + "\",\"object\":\"chat.completion.chunk\","
                + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":null,"
                + "\"content_filter_results\":{\"hate\":{\"filtered\":false,\"severity\":\"safe\"}}}]}";
        server.respond(Reply.sse(List.of(
                ": OPENROUTER PROCESSING\r\n\r\n",
                "event: message\r\ndata:" + c1 + "\r\n\r\n",
                "id: 1\r\nretry: 3000\r\ndata: " + c2.substring(0, 20),   // an event split across writes
                c2.substring(20) + "\r\n\r\n",
                ": keep-alive\r\n\r\n",
                "event: delta\r\n:comment between fields\r\ndata:" + c3 + "\r\n\r\n",
                "data: " + c4 + "\n\n",                                      // LF after CRLF: both are line ends
                "data: " + c5a + "\r\ndata: " + c5b + "\r\n\r\n",            // multi-line data joins with \n
                "data: " + c6 + "\r\n\r\n",
                "data: [DONE]\r\n\r\n",
                "data: {not json after DONE, ignored\r\n\r\n")));
        List<String> sunk = new ArrayList<>();

        StreamResult result = provider.stream(call(request(SIMPLE_STREAM)),
                StreamSink.chunks(b -> sunk.add(new String(b, StandardCharsets.UTF_8))));

        assertEquals(List.of(c1, c2, c3, c4, c5a + "\n" + c5b, c6), sunk);
        assertEquals(6, result.chunks());
        assertEquals("length", result.finishReason());
        assertEquals(7, result.usage().totalTokens());
        for (String s : sunk) {
            assertFalse(s.contains("\r"), s);
        }
    }

    @Test
    void stream_notEventStream() {
        List<String> sunk = new ArrayList<>();

        server.respond(Reply.json(200, FakeOpenAiServer.completion("not a stream")));
        GatewayException json = streamFails(sunk);
        assertEquals(ErrorKind.UPSTREAM_INVALID_RESPONSE, json.kind());
        assertEquals(502, json.status());
        assertTrue(sunk.isEmpty());

        // a well-formed event stream under the wrong content type is still not an event stream
        server.respond(Reply.raw(200, "application/json", "data: " + FakeOpenAiServer.chunk("assistant", "Hi", "stop")
                + "\n\ndata: [DONE]\n\n"));
        GatewayException mislabelled = streamFails(sunk);
        assertEquals(ErrorKind.UPSTREAM_INVALID_RESPONSE, mislabelled.kind());
        assertTrue(sunk.isEmpty(), "nothing may reach the caller from a response that is not an event stream");

        server.respond(Reply.sse(List.of("data: " + FakeOpenAiServer.chunk("assistant", "", null) + "\n\n",
                "data: this is not JSON\n\n", "data: [DONE]\n\n")));
        GatewayException notJson = streamFails(sunk);
        assertEquals(ErrorKind.UPSTREAM_INVALID_RESPONSE, notJson.kind());
        assertEquals(502, notJson.status());

        server.respond(Reply.sse(List.of("data: [1, 2]\n\n", "data: [DONE]\n\n")));
        assertEquals(ErrorKind.UPSTREAM_INVALID_RESPONSE, streamFails(sunk).kind());

        sunk.clear();
        server.respond(Reply.sseData(List.of(FakeOpenAiServer.chunk("assistant", "", null),
                FakeOpenAiServer.chunk(null, "Hel", null),
                FakeOpenAiServer.errorJson("The server had an error while processing your request.",
                        "server_error", null, null))));
        GatewayException error = streamFails(sunk);
        assertEquals(ErrorKind.UPSTREAM_ERROR, error.kind());
        assertEquals(502, error.status());
        assertEquals(2, sunk.size(), "chunks before the error event are delivered, the error event is not");
        assertFalse(error.getMessage().contains("processing your request"), error.getMessage());

        server.respond(Reply.error(429, "Rate limit reached for gpt-4o-mini.", "requests", null,
                "rate_limit_exceeded").withHeader("Retry-After", "5"));
        GatewayException limited = streamFails(sunk);
        assertEquals(ErrorKind.RATE_LIMITED, limited.kind());
        assertEquals(429, limited.status());
        assertEquals(5, limited.retryAfterSeconds());

        server.respond(Reply.sse(List.of(": nothing but comments\n\n")));
        assertEquals(ErrorKind.UPSTREAM_INVALID_RESPONSE, streamFails(sunk).kind());

        for (Recorded r : server.requests()) {
            assertEquals(tree("true"), r.json().get("stream"));
        }
    }

    // ---------------------------------------------------------------- keys

    @Test
    void missingKey() {
        OpenAiProvider keyless = provider(server.baseUrl(), Map.of());

        GatewayException chat = assertThrows(GatewayException.class, () -> keyless.chat(call(request(SIMPLE))));
        GatewayException stream = assertThrows(GatewayException.class,
                () -> keyless.stream(call(request(SIMPLE_STREAM)), StreamSink.chunks(b -> { })));

        for (GatewayException e : List.of(chat, stream)) {
            assertEquals(ErrorKind.INTERNAL, e.kind());
            assertEquals(500, e.status());
            assertFalse(e.getMessage().contains(KEY), e.getMessage());
            assertFalse(e.getMessage().contains("sk-"), e.getMessage());
        }
        assertTrue(server.requests().isEmpty(), "no request may go out without a key");

        OpenAiProvider blank = provider(server.baseUrl(), Map.of("OPENAI_API_KEY", "  "));
        assertEquals(ErrorKind.INTERNAL,
                assertThrows(GatewayException.class, () -> blank.chat(call(request(SIMPLE)))).kind());
        assertTrue(server.requests().isEmpty(), "no request may go out with a blank key");
    }

    @Test
    void apiKeyNeverInExceptionMessages() throws IOException {
        // Upstreams that echo the key back in every place they can.
        String echo = "Incorrect API key provided: " + KEY + ".";
        Map<String, Reply> chatScenarios = new LinkedHashMap<>();
        chatScenarios.put("400", Reply.error(400, echo, "invalid_request_error", KEY, KEY));
        chatScenarios.put("401", Reply.error(401, echo, "invalid_request_error", null, "invalid_api_key"));
        chatScenarios.put("403", Reply.error(403, echo, "permission_error", null, null));
        chatScenarios.put("404", Reply.error(404, echo, "invalid_request_error", null, "model_not_found"));
        chatScenarios.put("429", Reply.error(429, echo, "requests", null, "rate_limit_exceeded")
                .withHeader("Retry-After", KEY));
        chatScenarios.put("500", Reply.error(500, echo, "server_error", null, null));
        chatScenarios.put("502 html", Reply.raw(502, "text/html", "<html>" + echo + "</html>"));
        chatScenarios.put("malformed", Reply.json(200, "{\"id\": \"" + KEY + "\", \"choices\": ["));
        chatScenarios.put("no choices", Reply.json(200, "{\"error\": \"" + echo + "\"}"));
        chatScenarios.put("timeout", Reply.json(200, FakeOpenAiServer.completion(KEY))
                .withDelay(Duration.ofSeconds(2)));
        Map<String, Reply> streamScenarios = new LinkedHashMap<>();
        streamScenarios.put("stream json", Reply.json(200, FakeOpenAiServer.completion(KEY)));
        streamScenarios.put("stream not json", Reply.sse(List.of("data: key=" + KEY + "\n\n")));
        streamScenarios.put("stream error event", Reply.sseData(List.of(
                FakeOpenAiServer.errorJson(echo, "invalid_request_error", KEY, KEY))));
        streamScenarios.put("stream 401", Reply.error(401, echo, "invalid_request_error", null, "invalid_api_key"));

        List<Executable> checks = new ArrayList<>();
        for (Map.Entry<String, Reply> s : chatScenarios.entrySet()) {
            server.respond(s.getValue());
            ProviderCall c = call(request(SIMPLE), Duration.ofMillis(300));
            GatewayException e = assertThrows(GatewayException.class, () -> provider.chat(c), s.getKey());
            checks.add(() -> assertNoKey(s.getKey(), e));
        }
        for (Map.Entry<String, Reply> s : streamScenarios.entrySet()) {
            server.respond(s.getValue());
            GatewayException e = assertThrows(GatewayException.class,
                    () -> provider.stream(call(request(SIMPLE_STREAM)), StreamSink.chunks(b -> { })), s.getKey());
            checks.add(() -> assertNoKey(s.getKey(), e));
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        OpenAiProvider nowhere = provider(URI.create("http://127.0.0.1:" + port + "/v1"),
                Map.of("OPENAI_API_KEY", KEY));
        GatewayException refused = assertThrows(GatewayException.class, () -> nowhere.chat(call(request(SIMPLE))));
        checks.add(() -> assertNoKey("connection refused", refused));

        assertAll(checks);
        // the key was in play: every scenario's request carried it
        assertEquals(chatScenarios.size() + streamScenarios.size(), server.requests().size());
        for (Recorded r : server.requests()) {
            assertEquals("Bearer " + KEY, r.header("authorization"));
        }
    }

    private static void assertNoKey(String scenario, GatewayException e) {
        assertFalse(e.getMessage().contains(KEY), () -> scenario + ": key in message: " + e.getMessage());
        assertFalse(String.valueOf(e.code()).contains(KEY), () -> scenario + ": key in code: " + e.code());
        assertFalse(String.valueOf(e.param()).contains(KEY), () -> scenario + ": key in param: " + e.param());
        assertFalse(new String(ChatJson.writeError(e), StandardCharsets.UTF_8).contains(KEY),
                () -> scenario + ": key in the error body");
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            Throwable cause = t;
            assertFalse(String.valueOf(cause.getMessage()).contains(KEY),
                    () -> scenario + ": key in cause " + cause);
        }
    }

    // ---------------------------------------------------------------- connections

    @Test
    void connectionReuse() {
        server.respond(Reply.json(200, FakeOpenAiServer.completion("again")));
        for (int i = 0; i < 20; i++) {
            assertEquals("again", provider.chat(call(request(SIMPLE))).choices().get(0).message().text());
        }
        List<Recorded> got = server.requests();
        assertEquals(20, got.size());
        Set<Integer> ports = new HashSet<>();
        for (Recorded r : got) {
            ports.add(r.remotePort());
        }
        assertTrue(ports.size() < 20, "every call opened a new connection: " + ports.size() + " distinct ports");
        assertNull(got.get(0).header("upgrade"), "plain http must not ask for an h2c upgrade");
    }
}
