package io.switchboard.completion;

import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.blockStop;
import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.messageStart;
import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.messageStop;
import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.metadata;
import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.text;
import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.toolInput;
import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.toolStart;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.core.Gateway;
import io.switchboard.core.config.Settings;
import io.switchboard.core.http.GatewayRequest;
import io.switchboard.core.http.GatewayResponse;
import io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime;
import io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.Recorded;
import io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.Reply;
import io.switchboard.shared.json.Json;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@code bedrock} provider end to end: the real {@link Gateway} built from {@code Settings.from(env)} (the provider
 * configured as {@code {"type":"bedrock","region":...}}, Bedrock Runtime's endpoint overridden by
 * {@code AWS_ENDPOINT_URL_BEDROCK_RUNTIME}) in front of the loopback {@link FakeBedrockRuntime}; a whole answer through
 * the gateway, and a streamed answer with tool calls over HTTP through {@link CompletionServer}.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BedrockEndToEndTest {
    private static final String MODEL_ID = "us.anthropic.claude-3-7-sonnet-20250219-v1:0";

    private FakeBedrockRuntime fake;
    private Gateway gateway;
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        fake = FakeBedrockRuntime.start();
        String config = "{\"providers\":{\"br\":{\"type\":\"bedrock\",\"region\":\"us-west-2\",\"timeoutMs\":20000}},"
                + "\"models\":{\"claude\":\"br/" + MODEL_ID + "\"}}";
        gateway = Gateway.builder(Settings.from(TestGateways.env("SWITCHBOARD_CONFIG", config,
                "AWS_ENDPOINT_URL_BEDROCK_RUNTIME", fake.endpoint().toString(), "SWITCHBOARD_CACHE", "off")))
                .clock(InstantSource.fixed(TestGateways.NOW)).build();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
        gateway.close();
        fake.close();
        assertEquals(List.of(), fake.failures());
    }

    @Test
    void plain() throws Exception {
        fake.respond(Reply.json(200, FakeBedrockRuntime.converseText("Bonjour !", "end_turn", 12, 4)));

        GatewayResponse r = gateway.handle(request("{\"model\":\"claude\",\"messages\":[{\"role\":\"system\","
                + "\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Say hello in French.\"}],"
                + "\"max_tokens\":50}"));

        assertEquals(200, r.status(), () -> new String(r.body(), StandardCharsets.UTF_8));
        JsonNode body = Json.MAPPER.readTree(r.body());
        assertEquals("chat.completion", body.path("object").asText());
        assertEquals("Bonjour !", body.path("choices").path(0).path("message").path("content").asText());
        assertEquals("stop", body.path("choices").path(0).path("finish_reason").asText());
        assertEquals(16, body.path("usage").path("total_tokens").asInt());
        assertEquals("br", r.headers().get("x-switchboard-provider"));
        Recorded got = fake.onlyRequest();
        assertEquals("converse", got.operation());
        assertEquals(MODEL_ID, got.modelId());
        assertTrue(got.header("authorization").contains("/us-west-2/bedrock/aws4_request"),
                got.header("authorization"));
        assertEquals("Be brief.", got.json().path("system").path(0).path("text").asText());
        assertEquals(50, got.json().path("inferenceConfig").path("maxTokens").asInt());
    }

    @Test
    void streamedWithToolCalls_overHttp() throws Exception {
        fake.respond(Reply.stream(List.of(messageStart(), text(0, "Let me check."), blockStop(0),
                toolStart(1, "tooluse_1", "get_weather"), toolInput(1, "{\"city\":"), toolInput(1, "\"Paris\"}"),
                blockStop(1), messageStop("tool_use"), metadata(40, 20, 0, 0))));
        server = CompletionServer.start(new CompletionServer(gateway, InstantSource.system()), 0);
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + Gateway.CHAT_COMPLETIONS);
        String body = "{\"model\":\"claude\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":"
                + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}],\"tool_choice\":\"auto\"}";

        List<JsonNode> chunks = new ArrayList<>();
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30))
                    .header("authorization", "Bearer " + TestGateways.KEY).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
            try (StreamingTest.EventReader events = new StreamingTest.EventReader(r.body())) {
                for (String e; (e = events.next()) != null; ) {
                    assertTrue(e.startsWith("data: "), e);
                    if (e.equals("data: [DONE]")) {
                        assertNull(events.next(), "nothing after [DONE]");
                        break;
                    }
                    chunks.add(Json.MAPPER.readTree(e.substring(6)));
                }
            }
        }

        assertEquals("assistant", chunks.get(0).path("choices").path(0).path("delta").path("role").asText());
        StringBuilder args = new StringBuilder();
        String finish = null;
        for (JsonNode c : chunks) {
            for (JsonNode call : c.path("choices").path(0).path("delta").path("tool_calls")) {
                assertEquals(0, call.path("index").asInt());
                args.append(call.path("function").path("arguments").asText(""));
            }
            if (c.path("choices").path(0).path("finish_reason").isTextual()) {
                finish = c.path("choices").path(0).path("finish_reason").asText();
            }
        }
        JsonNode first = chunks.get(2).path("choices").path(0).path("delta").path("tool_calls").path(0);
        assertEquals("tooluse_1", first.path("id").asText());
        assertEquals("get_weather", first.path("function").path("name").asText());
        assertEquals(Json.MAPPER.readTree("{\"city\":\"Paris\"}"), Json.MAPPER.readTree(args.toString()));
        assertEquals("tool_calls", finish);
        JsonNode usage = chunks.get(chunks.size() - 1);
        assertEquals(0, usage.path("choices").size());
        assertEquals(60, usage.path("usage").path("total_tokens").asInt());
        Recorded got = fake.onlyRequest();
        assertEquals("converse-stream", got.operation());
        assertEquals(tree("{\"auto\":{}}"), got.json().path("toolConfig").path("toolChoice"));
    }

    private static JsonNode tree(String json) throws Exception {
        return Json.MAPPER.readTree(json);
    }

    private static GatewayRequest request(String body) {
        return new GatewayRequest("POST", Gateway.CHAT_COMPLETIONS, Map.of("authorization", "Bearer "
                + TestGateways.KEY, "content-type", "application/json"), body.getBytes(StandardCharsets.UTF_8),
                "req-bedrock", Long.MAX_VALUE);
    }
}
