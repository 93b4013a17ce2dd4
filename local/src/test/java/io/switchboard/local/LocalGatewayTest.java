package io.switchboard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end: the local runner started on a free loopback port, spoken to over HTTP. */
class LocalGatewayTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = LocalGateway.DEFAULT_DEV_KEY;
    private static final java.util.concurrent.ExecutorService POOL =
            java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private LocalGateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private LocalGateway start(Path template, Map<String, String> env, Map<String, String> params) throws Exception {
        Map<String, String> processEnv = new HashMap<>(env);
        processEnv.putIfAbsent("SWITCHBOARD_METRICS", "off");
        gateway = LocalGateway.start(template, 0, processEnv, params);
        return gateway;
    }

    private HttpResponse<String> post(String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .header("content-type", "application/json")
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("authorization", "Bearer " + key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String chat(String model, String prompt) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
    }

    private HttpResponse<String> get(String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .timeout(Duration.ofSeconds(20)).GET();
        if (key != null) {
            b.header("authorization", "Bearer " + key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void get_models_servedFromBundledCatalogWithoutDynamoDb() throws Exception {
        start(Project.template(), Map.of(), Map.of());

        HttpResponse<String> list = get("/v1/models", KEY);
        assertEquals(200, list.statusCode(), list.body());
        JsonNode body = JSON.readTree(list.body());
        assertEquals("list", body.path("object").asText());
        List<String> ids = new ArrayList<>();
        body.path("data").forEach(m -> ids.add(m.path("id").asText()));
        assertTrue(ids.contains("fast") && ids.contains("mock/mock-1"), ids.toString());

        HttpResponse<String> one = get("/v1/models/mock/mock-1", KEY);
        assertEquals(200, one.statusCode(), one.body());
        assertEquals("mock/mock-1", JSON.readTree(one.body()).path("id").asText());

        HttpResponse<String> unknown = get("/v1/models/fsat", KEY);
        assertEquals(404, unknown.statusCode());
        JsonNode error = JSON.readTree(unknown.body()).path("error");
        assertEquals("model_not_found", error.path("code").asText());
        assertTrue(error.path("message").asText().contains("'fast'"), error.toString());
    }

    @Test
    void post_chatCompletion_overHttp() throws Exception {
        start(Project.template(), Map.of(), Map.of());

        HttpResponse<String> r = post("/v1/chat/completions", KEY, chat("fast", "Hello over HTTP"));

        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("chat.completion", body.path("object").asText());
        assertTrue(body.path("choices").get(0).path("message").path("content").asText().contains("Hello over HTTP"));
        assertTrue(r.headers().firstValue("x-switchboard-overhead-ms").isPresent());
        assertTrue(r.headers().firstValue("x-switchboard-upstream-ms").isPresent());
        assertTrue(r.headers().firstValue("x-amzn-requestid").isPresent());
        assertEquals(r.headers().firstValue("x-amzn-requestid"), r.headers().firstValue("x-request-id"),
                "the streaming function saw the invocation's request id (Lambda Web Adapter's context header)");
    }

    @Test
    void post_withAndWithoutSnapStartCycleAtInit_bothServe() throws Exception {
        start(Project.template(), Map.of("SWITCHBOARD_LOCAL_SNAPSTART", "off"), Map.of());
        assertEquals(200, post("/v1/chat/completions", KEY, chat("fast", "plain init")).statusCode());
        gateway.close();
        start(Project.template(), Map.of(), Map.of());
        HttpResponse<String> primed = post("/v1/chat/completions", KEY,
                chat("fast", "Prime.").replace("{\"model\"", "{\"temperature\":0,\"model\""));
        assertEquals(200, primed.statusCode());
        assertEquals("MISS", primed.headers().firstValue("x-switchboard-cache").orElse(null),
                "priming left nothing in the cache");
    }

    @Test
    void post_streamAndErrors_overHttp() throws Exception {
        start(Project.template(), Map.of(), Map.of());

        HttpResponse<String> stream = post("/v1/chat/completions", KEY,
                "{\"model\":\"fast\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"s\"}]}");
        assertEquals(200, stream.statusCode());
        assertTrue(stream.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        assertTrue(stream.body().endsWith("data: [DONE]\n\n"));

        assertEquals(401, post("/v1/chat/completions", null, chat("fast", "x")).statusCode());
        assertEquals(401, post("/v1/chat/completions", "sk-wrong", chat("fast", "x")).statusCode());
        assertEquals(404, post("/v1/chat/completions", KEY, chat("nope", "x")).statusCode());
        HttpResponse<String> noRoute = post("/v1/nothing", KEY, "{}");
        assertEquals(404, noRoute.statusCode());
        assertTrue(noRoute.body().contains("\"code\":\"unknown_url\""),
                "no route: the $default route's answer in OpenAI's format, not API Gateway's bare one: " + noRoute.body());
        assertEquals(200, post("/chat/completions", KEY, chat("fast", "unversioned")).statusCode());
    }

    @Test
    void post_beyondReservedConcurrency_isThrottled() throws Exception {
        start(Project.template(), Map.of("SWITCHBOARD_MOCK_LATENCY_MS", "1500"),
                Map.of("CompletionStreamReservedConcurrency", "1"));
        CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> {
            try {
                return post("/v1/chat/completions", KEY, chat("fast", "first"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, POOL);
        Thread.sleep(400); // the first request holds the only environment for 1.5 s
        HttpResponse<String> second = post("/v1/chat/completions", KEY, chat("fast", "second"));

        assertEquals(429, second.statusCode(), second.body());
        assertEquals("concurrency_limit_exceeded", JSON.readTree(second.body()).path("error").path("code").asText());
        assertEquals("1", second.headers().firstValue("retry-after").orElse(null));
        assertEquals(200, first.get().statusCode());
        assertEquals(200, post("/v1/chat/completions", KEY, chat("fast", "third")).statusCode(),
                "the environment is free again");
    }

    @Test
    void post_overFunctionTimeout_is500AndDiscardsEnvironment(@TempDir Path dir) throws Exception {
        Path template = dir.resolve("template.yaml");
        Files.writeString(template, """
                Resources:
                  Slow:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: io.switchboard.local.SlowHandler::handleRequest
                      Timeout: 1
                      ReservedConcurrentExecutions: 1
                      Events:
                        Api: {Type: HttpApi, Properties: {Path: /slow, Method: POST}}
                """);
        start(template, Map.of(), Map.of());

        HttpResponse<String> slow = post("/slow", null, "sleep");
        assertEquals(500, slow.statusCode());
        assertEquals("{\"message\":\"Internal Server Error\"}", slow.body(), "API Gateway's answer to a timeout");

        HttpResponse<String> next = post("/slow", null, "now");
        assertEquals(200, next.statusCode(), "a fresh environment replaced the timed-out one");
        assertEquals("awake", next.body());
    }

    @Test
    void post_upstreamSlowerThanFunction_gatewayAnswers504Itself(@TempDir Path dir) throws Exception {
        Path template = dir.resolve("template.yaml");
        Files.writeString(template, Files.readString(Project.template()).replace("Timeout: 30", "Timeout: 2")
                .replace("Timeout: 900", "Timeout: 2"));
        String config = "{\"providers\":{\"slow\":{\"type\":\"mock\",\"latencyMs\":5000}},"
                + "\"models\":{\"slow\":\"slow/m\"}}";
        start(template, Map.of("SWITCHBOARD_CONFIG", config), Map.of());

        HttpResponse<String> r = post("/v1/chat/completions", KEY, chat("slow", "x"));
        assertEquals(504, r.statusCode(), r.body());
        assertEquals("upstream_timeout", JSON.readTree(r.body()).path("error").path("code").asText(),
                "the gateway keeps a margin of the function timeout to answer in OpenAI's format");
    }

    @Test
    void environment_processOverridesTemplate_andLambdaVariablesAreSet() throws Exception {
        FunctionSpec spec = SamTemplate.read(Project.template(), Map.of()).functions().get(0);
        Map<String, String> env = LocalGateway.environment(spec,
                Map.of("POWERTOOLS_SERVICE_NAME", "mine", "OPENAI_API_KEY", "sk-x"));
        assertEquals("mine", env.get("POWERTOOLS_SERVICE_NAME"));
        assertEquals("sk-x", env.get("OPENAI_API_KEY"), "provider keys reach the function");
        assertEquals("CompletionFunction", env.get("AWS_LAMBDA_FUNCTION_NAME"));
        assertEquals("true", env.get("AWS_EC2_METADATA_DISABLED"));
        assertEquals("Local", env.get("AWS_EMF_ENVIRONMENT"));
        assertNotNull(env.get("SWITCHBOARD_API_KEYS"));
        assertTrue(env.get("SWITCHBOARD_API_KEYS").startsWith("local:"), "the dev key is accepted");
    }

    @Test
    void post_concurrentRequestsWithinLimit_allSucceed() throws Exception {
        start(Project.template(), Map.of("SWITCHBOARD_MOCK_LATENCY_MS", "200"),
                Map.of("CompletionReservedConcurrency", "4"));
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String prompt = "p" + i;
            all.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return post("/v1/chat/completions", KEY, chat("fast", prompt));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, POOL));
        }
        for (CompletableFuture<HttpResponse<String>> f : all) {
            assertEquals(200, f.get().statusCode(), f.get().body());
        }
    }
}
