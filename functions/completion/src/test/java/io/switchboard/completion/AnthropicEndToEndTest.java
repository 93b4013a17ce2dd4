package io.switchboard.completion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.core.Gateway;
import io.switchboard.core.config.Settings;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An {@code anthropic} provider end to end: the real {@link Gateway} configured through {@code SWITCHBOARD_CONFIG},
 * the Lambda handler for a whole answer and {@link CompletionServer} over HTTP for a stream, and a loopback upstream
 * speaking Anthropic's Messages wire format (JSON messages, {@code event:}/{@code data:} streams, error bodies).
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AnthropicEndToEndTest {
    private static final String UP_KEY = "sk-ant-e2e-3b9d";
    private static final String MSG = "msg_01E2EtestAnthropic";
    private static final String MODEL = "claude-sonnet-4-5-20250929";

    /** One request as the upstream received it. */
    private record Received(String path, String apiKey, String version, JsonNode body) {
    }

    /** One answer: status, content type and the body's parts (several parts: an event stream, chunked). */
    private record Answer(int status, String contentType, List<String> parts) {
    }

    private HttpServer upstream;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile Function<JsonNode, Answer> answers;
    private final List<Gateway> gateways = new ArrayList<>();
    private final List<HttpServer> servers = new ArrayList<>();
    private HttpClient client;

    @BeforeEach
    void start() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/", this::handle);
        upstream.start();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
        gateways.forEach(Gateway::close);
        client.close();
        upstream.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex; InputStream in = ex.getRequestBody()) {
            JsonNode body = Json.MAPPER.readTree(in.readAllBytes());
            received.add(new Received(ex.getRequestURI().getPath(), ex.getRequestHeaders().getFirst("x-api-key"),
                    ex.getRequestHeaders().getFirst("anthropic-version"), body));
            Answer a = answers.apply(body);
            ex.getResponseHeaders().add("content-type", a.contentType());
            ex.getResponseHeaders().add("request-id", "req_011E2E");
            boolean chunked = a.parts().size() > 1;
            byte[] whole = String.join("", a.parts()).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(a.status(), chunked ? 0 : whole.length);
            try (OutputStream out = ex.getResponseBody()) {
                for (String part : a.parts()) {
                    out.write(part.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        }
    }

    private Gateway gateway() {
        String config = "{\"providers\":{\"claude\":{\"type\":\"anthropic\",\"baseUrl\":\"http://127.0.0.1:"
                + upstream.getAddress().getPort() + "/v1\",\"apiKey\":\"env:ANTHROPIC_KEY\",\"defaultMaxTokens\":1024}},"
                + "\"models\":{\"sonnet\":\"claude/claude-sonnet-4-5\"}}";
        Gateway g = Gateway.builder(Settings.from(TestGateways.env("SWITCHBOARD_CONFIG", config, "ANTHROPIC_KEY",
                UP_KEY))).clock(InstantSource.fixed(TestGateways.NOW)).build();
        gateways.add(g);
        return g;
    }

    private static String event(String name, String data) {
        return "event: " + name + "\ndata: " + data + "\n\n";
    }

    private static String messageStart() {
        return event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"" + MSG + "\",\"type\":"
                + "\"message\",\"role\":\"assistant\",\"model\":\"" + MODEL + "\",\"content\":[],\"stop_reason\":null,"
                + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":412,\"cache_creation_input_tokens\":0,"
                + "\"cache_read_input_tokens\":300,\"output_tokens\":1}}}");
    }

    private static String jsonDelta(int index, String partial) {
        return event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":" + index + ",\"delta\":"
                + "{\"type\":\"input_json_delta\",\"partial_json\":" + Json.MAPPER.getNodeFactory().textNode(partial)
                + "}}");
    }

    @Test
    void chatCompletion_throughTheLambdaHandler() throws Exception {
        answers = body -> new Answer(200, "application/json", List.of("{\"id\":\"" + MSG + "\",\"type\":\"message\","
                + "\"role\":\"assistant\",\"model\":\"" + MODEL + "\",\"content\":[{\"type\":\"text\",\"text\":"
                + "\"Bonjour !\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":20,"
                + "\"cache_creation_input_tokens\":5,\"cache_read_input_tokens\":100,\"output_tokens\":4}}"));
        CompletionHandler handler = new CompletionHandler(gateway());

        APIGatewayV2HTTPResponse r = handler.handleRequest(TestGateways.post("""
                {"model": "sonnet", "messages": [{"role": "system", "content": "Answer in French."},
                  {"role": "user", "content": "Hello"}], "seed": 3}"""), null);

        assertEquals(200, r.getStatusCode(), r.getBody());
        assertEquals("claude", r.getHeaders().get("x-switchboard-provider"));
        assertEquals(Json.MAPPER.readTree("""
                {"id": "%s", "object": "chat.completion", "created": %d, "model": "%s",
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": "Bonjour !"},
                              "logprobs": null, "finish_reason": "stop"}],
                 "usage": {"prompt_tokens": 125, "completion_tokens": 4, "total_tokens": 129,
                           "prompt_tokens_details": {"cached_tokens": 100}}}"""
                .formatted(MSG, TestGateways.NOW.getEpochSecond(), MODEL)), Json.MAPPER.readTree(r.getBody()));

        Received up = received.get(0);
        assertEquals("/v1/messages", up.path());
        assertEquals(UP_KEY, up.apiKey());
        assertEquals("2023-06-01", up.version());
        assertEquals(Json.MAPPER.readTree("""
                {"model": "claude-sonnet-4-5", "max_tokens": 1024,
                 "system": [{"type": "text", "text": "Answer in French."}],
                 "messages": [{"role": "user", "content": [{"type": "text", "text": "Hello"}]}]}"""), up.body());
    }

    @Test
    void streamedToolCalls_overHttp_thenReplayedFromTheCache() throws Exception {
        answers = body -> new Answer(200, "text/event-stream; charset=utf-8", List.of(messageStart(),
                event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                        + "{\"type\":\"tool_use\",\"id\":\"toolu_01P\",\"name\":\"get_weather\",\"input\":{}}}"),
                event("ping", "{\"type\": \"ping\"}"),
                jsonDelta(0, ""), jsonDelta(0, "{\"city\": \"Pa"), jsonDelta(0, "ris\"}"),
                event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"),
                event("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":"
                        + "{\"type\":\"tool_use\",\"id\":\"toolu_01L\",\"name\":\"get_weather\",\"input\":{}}}"),
                jsonDelta(1, "{\"city\":"), jsonDelta(1, " \"Lyon\"}"),
                event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}"),
                event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\","
                        + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":48}}"),
                event("message_stop", "{\"type\":\"message_stop\"}")));
        HttpServer server = CompletionServer.start(new CompletionServer(gateway(), InstantSource.system()), 0);
        servers.add(server);
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + Gateway.CHAT_COMPLETIONS);
        String body = """
                {"model": "sonnet", "stream": true, "stream_options": {"include_usage": true}, "temperature": 0,
                 "messages": [{"role": "user", "content": "Weather in Paris and Lyon?"}],
                 "tools": [{"type": "function", "function": {"name": "get_weather",
                   "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}],
                 "tool_choice": "required"}""";

        Streamed live = post(url, body);
        Streamed replay = post(url, body);

        assertEquals(1, received.size(), "the second answer came from the cache");
        JsonNode up = received.get(0).body();
        assertTrue(up.path("stream").asBoolean());
        assertEquals(Json.MAPPER.readTree("{\"type\": \"any\"}"), up.get("tool_choice"));
        assertEquals(Json.MAPPER.readTree("""
                [{"name": "get_weather", "input_schema": {"type": "object",
                  "properties": {"city": {"type": "string"}}}}]"""), up.get("tools"));

        for (Streamed s : List.of(live, replay)) {
            assertEquals(200, s.status());
            assertTrue(s.done(), "ends with [DONE]");
            assertEquals("assistant", s.chunks().get(0).path("choices").path(0).path("delta").path("role").asText());
            assertEquals("tool_calls", s.finishReason());
            assertEquals(List.of("toolu_01P", "toolu_01L"), s.toolCallIds());
            assertEquals(List.of("{\"city\": \"Paris\"}", "{\"city\": \"Lyon\"}"), s.toolArguments());
            JsonNode usage = s.chunks().get(s.chunks().size() - 1).path("usage");
            assertEquals(712, usage.path("prompt_tokens").asInt());
            assertEquals(48, usage.path("completion_tokens").asInt());
        }
        assertEquals("miss", live.cacheStatus().toLowerCase(java.util.Locale.ROOT));
        assertTrue(replay.cacheStatus().toLowerCase(java.util.Locale.ROOT).startsWith("hit"), replay.cacheStatus());
        assertTrue(live.chunks().size() >= 8, "the live stream relays each fragment: " + live.chunks().size());
    }

    @Test
    void upstreamOverloaded_andRefusedParameter_areGatewayErrors() throws Exception {
        answers = body -> new Answer(529, "application/json", List.of("{\"type\":\"error\",\"error\":{\"type\":"
                + "\"overloaded_error\",\"message\":\"Overloaded\"}}"));
        CompletionHandler handler = new CompletionHandler(gateway());

        APIGatewayV2HTTPResponse overloaded = handler.handleRequest(TestGateways.post(
                "{\"model\":\"sonnet\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"), null);
        assertEquals(502, overloaded.getStatusCode());
        JsonNode error = Json.MAPPER.readTree(overloaded.getBody()).path("error");
        assertEquals("upstream_error", error.path("code").asText());
        assertTrue(error.path("message").asText().contains("overloaded"), error.toString());

        APIGatewayV2HTTPResponse refused = handler.handleRequest(TestGateways.post(
                "{\"model\":\"sonnet\",\"n\":3,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"), null);
        assertEquals(400, refused.getStatusCode());
        JsonNode refusal = Json.MAPPER.readTree(refused.getBody()).path("error");
        assertEquals("n", refusal.path("param").asText());
        assertEquals("unsupported_value", refusal.path("code").asText());
        // the overloaded request was tried three times (the default retry policy: 529 is retriable); the refused
        // one never reached the upstream
        assertEquals(3, received.size(), "the refused request never reached the upstream");
    }

    /** A streamed answer as the caller saw it. */
    private record Streamed(int status, String cacheStatus, List<JsonNode> chunks, boolean done) {
        String finishReason() {
            String finish = null;
            for (JsonNode c : chunks) {
                JsonNode f = c.path("choices").path(0).path("finish_reason");
                if (f.isTextual()) {
                    finish = f.asText();
                }
            }
            return finish;
        }

        List<String> toolCallIds() {
            List<String> ids = new ArrayList<>();
            for (JsonNode c : chunks) {
                for (JsonNode tc : c.path("choices").path(0).path("delta").path("tool_calls")) {
                    if (tc.hasNonNull("id")) {
                        ids.add(tc.get("id").asText());
                    }
                }
            }
            return ids;
        }

        List<String> toolArguments() {
            List<StringBuilder> args = new ArrayList<>();
            for (JsonNode c : chunks) {
                for (JsonNode tc : c.path("choices").path(0).path("delta").path("tool_calls")) {
                    int i = tc.path("index").asInt();
                    while (args.size() <= i) {
                        args.add(new StringBuilder());
                    }
                    args.get(i).append(tc.path("function").path("arguments").asText(""));
                }
            }
            return args.stream().map(StringBuilder::toString).toList();
        }
    }

    private Streamed post(URI url, String body) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(url)
                .timeout(Duration.ofSeconds(10))
                .header("authorization", "Bearer " + TestGateways.KEY)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"), r.body());
        List<JsonNode> chunks = new ArrayList<>();
        boolean done = false;
        for (String e : r.body().split("\n\n")) {
            if (e.startsWith(":")) {
                continue; // keep-alive
            }
            assertTrue(e.startsWith("data: "), e);
            assertFalse(done, "nothing after [DONE]");
            String data = e.substring(6);
            if (data.equals("[DONE]")) {
                done = true;
            } else {
                chunks.add(Json.MAPPER.readTree(data));
            }
        }
        assertNotNull(r.headers().firstValue("x-switchboard-cache").orElse(null));
        assertNull(chunks.stream().filter(c -> c.has("error")).findFirst().orElse(null));
        return new Streamed(r.statusCode(), r.headers().firstValue("x-switchboard-cache").orElse(""), chunks, done);
    }
}
