package io.switchboard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;

/**
 * The local run as the whole stack, over HTTP: discovery on its schedule into DynamoDB Local and out through
 * {@code /v1/models}; the admin route, the bus, its rule and the real invalidation function clearing a cached answer
 * from every environment; a failing target retried and then dead-lettered; the invoke command.
 */
class LocalStackTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<AsyncInvoker.Outcome> outcomes = new CopyOnWriteArrayList<>();
    private LocalGateway gateway;
    private HttpServer upstream;
    private LocalRedis redis;
    private final AtomicInteger chats = new AtomicInteger();

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.stop(0);
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** An OpenAI-compatible provider that lists one model the bundled configuration does not know. */
    private int startUpstream() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        upstream.createContext("/v1/models", ex -> {
            byte[] b = "{\"object\":\"list\",\"data\":[{\"id\":\"only-upstream-model\",\"object\":\"model\",\"created\":1,\"owned_by\":\"up\"}]}"
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("content-type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        upstream.createContext("/v1/chat/completions", ex -> {
            ex.getRequestBody().readAllBytes();
            chats.incrementAndGet();
            byte[] b = ("{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"only-upstream-model\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
                    + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,"
                    + "\"total_tokens\":2}}").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("content-type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        upstream.start();
        return upstream.getAddress().getPort();
    }

    private LocalGateway startStack(Path template, Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("SWITCHBOARD_METRICS", "off");
        env.put("AWS_REGION", "us-east-1");
        LocalOptions options = new LocalOptions(true, LocalOptions.DynamoDbMode.MEMORY, true, true, 1,
                Duration.ofMillis(100), null);
        gateway = LocalGateway.start(template, 0, env, Map.of(), options, outcomes::add);
        return gateway;
    }

    private HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("authorization", "Bearer " + key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void await(String what, Duration limit, java.util.concurrent.Callable<Boolean> condition)
            throws Exception {
        long until = System.nanoTime() + limit.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void discoveryRunsOnItsSchedule_andAModelOnlyTheProviderListsIsServed() throws Exception {
        int port = startUpstream();
        startStack(Project.template(), Map.of("UP_KEY", "sk-up", "SWITCHBOARD_CACHE", "off",
                "SWITCHBOARD_CONFIG", "{\"providers\":{\"up\":{\"type\":\"openai\",\"baseUrl\":\"http://127.0.0.1:"
                        + port + "/v1\",\"apiKey\":\"env:UP_KEY\"}},\"models\":{\"fast\":\"up/m\"}}"));

        await("discovery to write the catalog", Duration.ofSeconds(60), () -> send("GET", "/v1/models",
                LocalGateway.DEFAULT_DEV_KEY, null).body().contains("\"up/only-upstream-model\""));
        HttpResponse<String> model = send("GET", "/v1/models/up/only-upstream-model", LocalGateway.DEFAULT_DEV_KEY,
                null);
        assertEquals(200, model.statusCode(), model.body());
        assertTrue(Long.parseLong(model.headers().firstValue("x-switchboard-catalog-generation").orElse("0")) >= 1,
                "served from the DynamoDB catalog, not the bundled one");
        assertTrue(outcomes.stream().anyMatch(o -> o.function().equals("DiscoveryFunction") && o.succeeded()));
        // the catalog change went out on the bus, and its rule delivered it to the invalidation function
        await("ModelCatalogChanged to reach the invalidation function", Duration.ofSeconds(30), () -> outcomes.stream()
                .anyMatch(o -> o.function().equals("InvalidationFunction") && o.succeeded()));

        String report = new String(gateway.invoke("DiscoveryFunction",
                Files.readAllBytes(Project.dir().resolve("events/discovery-on-demand.json"))), StandardCharsets.UTF_8);
        assertEquals(false, JSON.readTree(report).path("changed").asBoolean(true),
                "the invoke command runs the same function on the same tables: nothing new the second time");
    }

    @Test
    void adminInvalidation_throughTheBusAndTheRealFunction_clearsEveryEnvironmentsCache() throws Exception {
        redis = LocalRedis.startIfInstalled(System.getenv("PATH"));
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(redis != null, "redis-server is missing although .ci/run installs it");
        }
        assumeTrue(redis != null, "redis-server is not installed (.ci/run installs it)");
        int port = startUpstream();
        startStack(Project.template(), Map.of("UP_KEY", "sk-up", "SWITCHBOARD_CACHE_URL", redis.url(),
                "SWITCHBOARD_CONFIG", "{\"providers\":{\"up\":{\"type\":\"openai\",\"baseUrl\":\"http://127.0.0.1:"
                        + port + "/v1\",\"apiKey\":\"env:UP_KEY\"}},\"models\":{\"fast\":\"up/m\"}}"));
        String chat = "{\"model\":\"fast\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"cache me\"}]}";

        assertEquals("MISS", send("POST", "/v1/chat/completions", LocalGateway.DEFAULT_DEV_KEY, chat).headers()
                .firstValue("x-switchboard-cache").orElse(null));
        // a hit in whichever environment serves it (its own L1, or L2 when another environment took the request)
        assertTrue(send("POST", "/v1/chat/completions", LocalGateway.DEFAULT_DEV_KEY, chat).headers()
                .firstValue("x-switchboard-cache").orElse("").startsWith("HIT-"));
        int before = chats.get();

        HttpResponse<String> accepted = send("POST", "/v1/cache/invalidate", LocalGateway.DEFAULT_DEV_ADMIN_KEY,
                "{\"tenant\":\"local\",\"reason\":\"test: new prompt version\"}");
        assertEquals(202, accepted.statusCode(), accepted.body());
        long t0 = System.nanoTime();
        await("the invalidation function to run", Duration.ofSeconds(30), () -> outcomes.stream()
                .anyMatch(o -> o.function().equals("InvalidationFunction") && o.succeeded()));
        await("the cached answer to be gone", Duration.ofSeconds(10), () -> "MISS".equals(send("POST",
                "/v1/chat/completions", LocalGateway.DEFAULT_DEV_KEY, chat).headers()
                .firstValue("x-switchboard-cache").orElse(null)));
        System.out.printf("invalidation through the local bus: answer refreshed %.0f ms after the 202%n",
                (System.nanoTime() - t0) / 1e6);
        assertTrue(chats.get() > before, "the next identical request went to the provider");
        assertEquals(401, send("POST", "/v1/cache/invalidate", LocalGateway.DEFAULT_DEV_KEY,
                "{\"tenant\":\"local\",\"reason\":\"gateway keys are not admin keys\"}").statusCode());
    }

    @Test
    void failingTarget_isRetriedThenDeadLettered_andSchedulesRunAtStart(@TempDir Path dir) throws Exception {
        Path template = dir.resolve("template.yaml");
        Files.writeString(template, """
                Resources:
                  Bus:
                    Type: AWS::Events::EventBus
                    Properties:
                      Name: test-bus
                  Dead:
                    Type: AWS::SQS::Queue
                  Failing:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: io.switchboard.local.FailingHandler::handleRequest
                      Timeout: 5
                      DeadLetterQueue:
                        Type: SQS
                        TargetArn:
                          Fn::GetAtt: [Dead, Arn]
                      EventInvokeConfig:
                        MaximumRetryAttempts: 1
                      Events:
                        OnOrder:
                          Type: EventBridgeRule
                          Properties:
                            EventBusName:
                              Ref: Bus
                            Pattern:
                              source: [shop]
                              detail:
                                total: [{numeric: [">", 100]}]
                  Ticker:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: io.switchboard.local.EchoHandler::handleRequest
                      Events:
                        Every:
                          Type: Schedule
                          Properties:
                            Schedule: rate(1 hour)
                """);
        startStack(template, Map.of());
        await("the schedule's first run", Duration.ofSeconds(20), () -> outcomes.stream()
                .anyMatch(o -> o.function().equals("Ticker") && o.succeeded()
                        && new String(o.result(), StandardCharsets.UTF_8).contains("Scheduled Event")));

        try (EventBridgeClient events = EventBridgeClient.builder().region(Region.US_EAST_1)
                .endpointOverride(URI.create(gateway.busEndpoint()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            PutEventsResponse r = events.putEvents(p -> p.entries(
                    e -> e.eventBusName("test-bus").source("shop").detailType("Order").detail("{\"total\":250}"),
                    e -> e.eventBusName("test-bus").source("shop").detailType("Order").detail("{\"total\":5}"),
                    e -> e.eventBusName("no-such-bus").source("shop").detailType("Order").detail("{}")));
            assertEquals(1, r.failedEntryCount(), "the unknown bus is refused, the others accepted");
            assertEquals("ResourceNotFoundException", r.entries().get(2).errorCode());
        }
        await("the dead letter", Duration.ofSeconds(20), () -> !gateway.queue("switchboard-local-Dead").isEmpty());
        AsyncInvoker.Outcome failed = outcomes.stream().filter(o -> o.function().equals("Failing")).findFirst()
                .orElseThrow();
        assertEquals(2, failed.attempts(), "one try and MaximumRetryAttempts=1 retry");
        List<LocalQueues.Message> dead = gateway.queue("switchboard-local-Dead");
        assertEquals(1, dead.size(), "only the order over 100 matched the rule");
        assertTrue(dead.get(0).body().contains("\"total\":250"));
        assertEquals("Failing", dead.get(0).attributes().get("FunctionName"));
        TimeUnit.MILLISECONDS.sleep(300);
        assertEquals(1, outcomes.stream().filter(o -> o.function().equals("Failing")).count());
    }

    @Test
    void invokeCommand_withoutARunningLocalRun_standsUpTheStackForOneInvocation(@TempDir Path data) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stdout = System.out;
        int status;
        System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            LocalOptions options = new LocalOptions(true, LocalOptions.DynamoDbMode.DISK, true, false, 1,
                    Duration.ofMillis(100), data);
            status = LocalInvoke.run(Project.template(), Map.of(), options, "DiscoveryFunction",
                    Project.dir().resolve("events/discovery-scheduled.json"), Map.of("SWITCHBOARD_METRICS", "off",
                            "SWITCHBOARD_CACHE", "off"));
        } finally {
            System.setOut(stdout);
        }
        assertEquals(0, status, out.toString(StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        // the run's other functions may print too (the bus delivers the catalog change meanwhile): find the report
        String line = printed.lines().filter(l -> l.startsWith("{\"generation\"")).reduce((a, b) -> b).orElse("{}");
        JsonNode report = JSON.readTree(line);
        assertEquals(1, report.path("generation").asInt(), printed);
        assertTrue(Files.isDirectory(data.resolve("dynamodb")), "the tables were kept on disk for the next run");
    }
}
