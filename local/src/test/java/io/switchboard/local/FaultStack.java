package io.switchboard.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The local run's whole stack for a fault run: the template's functions (chat on the streaming route, models, admin,
 * invalidation, discovery), DynamoDB Local with the template's tables, optionally the bus and schedules, pointed at
 * loopback providers and (when given) an L2 the test controls. Requests go over HTTP to its port.
 */
final class FaultStack implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = LocalGateway.DEFAULT_DEV_KEY;
    static final String ADMIN = LocalGateway.DEFAULT_DEV_ADMIN_KEY;

    private final LocalGateway gateway;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    final List<AsyncInvoker.Outcome> outcomes = new CopyOnWriteArrayList<>();

    private FaultStack(Path template, Map<String, String> env, LocalOptions options) throws Exception {
        Map<String, String> e = new HashMap<>(env);
        e.putIfAbsent("SWITCHBOARD_METRICS", "off");
        e.putIfAbsent("AWS_REGION", "us-east-1");
        e.putIfAbsent("SWITCHBOARD_LOCAL_SNAPSTART", "off"); // environments start faster; not what is under test
        this.gateway = LocalGateway.start(template, 0, e, Map.of(), options, outcomes::add);
        gateway.awaitTables(Duration.ofSeconds(60));
    }

    /**
     * The stack with {@code env} on top of the template's variables.
     *
     * @param dataDir null: DynamoDB Local in memory; otherwise its tables (and dead letters) live there, surviving
     *     a stop and restart
     * @param bus whether the bus and its rules run
     * @param schedules whether schedules run (discovery at start)
     */
    static FaultStack start(Map<String, String> env, Path dataDir, boolean bus, boolean schedules,
            Duration retryDelay) throws Exception {
        return start(Project.template(), env, dataDir, bus, schedules, retryDelay);
    }

    /** {@link #start(Map, Path, boolean, boolean, Duration)} with another template. */
    static FaultStack start(Path template, Map<String, String> env, Path dataDir, boolean bus, boolean schedules,
            Duration retryDelay) throws Exception {
        LocalOptions options = new LocalOptions(true, dataDir == null ? LocalOptions.DynamoDbMode.MEMORY
                : LocalOptions.DynamoDbMode.DISK, bus, schedules, 1, retryDelay, dataDir);
        return new FaultStack(template, env, options);
    }

    /** A provider configuration: {@code up} at {@code baseUrl}, {@code models} as given (JSON object text). */
    static String config(String providers, String models) {
        return "{\"providers\":{" + providers + "},\"models\":" + models + "}";
    }

    /** One OpenAI-compatible provider entry named {@code name}. */
    static String provider(String name, String baseUrl) {
        return "\"" + name + "\":{\"type\":\"openai\",\"baseUrl\":\"" + baseUrl + "\",\"apiKey\":\"env:UP_KEY\"}";
    }

    LocalGateway gateway() {
        return gateway;
    }

    int port() {
        return gateway.port();
    }

    /** A chat request with {@code key}. */
    HttpRequest chat(String key, String body) {
        return chat(key, body, "chat");
    }

    /** A chat request with {@code key}, tagged for the run's bookkeeping ({@link FaultLoad.Result#tag()}). */
    HttpRequest chat(String key, String body, String tag) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(60)).header("content-type", "application/json")
                .header("x-fault-tag", tag)
                .header("authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** {@code {"model":model,"temperature":t,"messages":[{"role":"user","content":text}]}}. */
    static String chatBody(String model, double temperature, String text) {
        return "{\"model\":\"" + model + "\",\"temperature\":" + temperature + ",\"max_tokens\":16,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    /** Sends {@code r} and returns its result. */
    FaultLoad.Result send(HttpRequest r) {
        return FaultLoad.send(http, r);
    }

    /** An admin API call ({@code /v1/admin/...}) with the dev admin key. */
    HttpResponse<String> admin(String method, String path, String body) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
                .header("authorization", "Bearer " + ADMIN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(r, HttpResponse.BodyHandlers.ofString());
    }

    /** A GET with {@code key}. */
    FaultLoad.Result get(String path, String key) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .timeout(Duration.ofSeconds(30)).header("authorization", "Bearer " + key).GET().build());
    }

    /** Makes a stored key through the admin API and returns its secret. */
    String newKey(String json) throws Exception {
        HttpResponse<String> r = admin("POST", "/v1/admin/keys", json);
        if (r.statusCode() != 201) {
            throw new AssertionError("key not made: " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body()).get("key").asText();
    }

    static JsonNode json(String body) throws Exception {
        return JSON.readTree(body);
    }

    /** Polls {@code condition} every 20 ms until it holds; fails after {@code limit}. */
    static void await(String what, Duration limit, Callable<Boolean> condition) throws Exception {
        long until = System.nanoTime() + limit.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("timed out after " + limit.toMillis() + " ms waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() {
        gateway.close();
    }
}
