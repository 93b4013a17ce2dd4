package io.switchboard.core.embeddings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.Gateway;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.cache.RedisServer;
import io.switchboard.core.config.Settings;
import io.switchboard.core.http.GatewayRequest;
import io.switchboard.core.http.GatewayResponse;
import io.switchboard.core.metrics.GatewayMetrics;
import io.switchboard.core.metrics.Operation;
import io.switchboard.core.metrics.RequestOutcome;
import io.switchboard.core.snapstart.PrimingSamples;
import io.switchboard.shared.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/embeddings} end to end through real {@link Gateway}s (each an execution environment with its own
 * L1), in front of OpenAI's embeddings wire format on loopback ({@link FakeEmbeddingsUpstream}) and the mock provider.
 */
class EmbeddingServiceTest {
    private static final String UPSTREAM_KEY = "sk-up-secret-789";
    private static final String SECRET_INPUT = "the launch code is 0000-1111";
    private static FakeEmbeddingsUpstream upstream;
    private final List<Gateway> gateways = new ArrayList<>();
    private final List<RequestOutcome> outcomes = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();

    @BeforeAll
    static void startUpstream() throws IOException {
        upstream = new FakeEmbeddingsUpstream();
    }

    @AfterAll
    static void stopUpstream() {
        upstream.close();
    }

    @BeforeEach
    void reset() {
        upstream.reset();
    }

    @AfterEach
    void closeGateways() {
        gateways.forEach(Gateway::close);
    }

    private Gateway environment(String... extra) {
        Map<String, String> env = new HashMap<>();
        env.put("SWITCHBOARD_API_KEYS", "a:" + Authenticator.sha256Hex("key-a") + ",b:"
                + Authenticator.sha256Hex("key-b"));
        env.put("SWITCHBOARD_CONFIG", "{\"providers\":{"
                + "\"up\":{\"type\":\"openai\",\"baseUrl\":\"" + upstream.baseUrl() + "\",\"apiKey\":\"env:UP_KEY\","
                + "\"timeoutMs\":10000},"
                + "\"mock\":{\"type\":\"mock\"},"
                + "\"anth\":{\"type\":\"anthropic\",\"baseUrl\":\"http://127.0.0.1:9/v1\"}},"
                + "\"models\":{\"small\":\"up/text-embedding-3-small\",\"fast\":\"mock/mock-1\","
                + "\"claude\":\"anth/claude-x\",\"m\":\"up/model-x\"}}");
        env.put("UP_KEY", UPSTREAM_KEY);
        for (int i = 0; i < extra.length; i += 2) {
            env.put(extra[i], extra[i + 1]);
        }
        Gateway g = Gateway.builder(Settings.from(env)).metrics(new GatewayMetrics() {
            @Override
            public void coldStart() {
            }

            @Override
            public void request(RequestOutcome outcome) {
                outcomes.add(outcome);
            }

            @Override
            public void built(String name, long nanos) {
            }
        }).build();
        gateways.add(g);
        return g;
    }

    private GatewayResponse send(Gateway g, String key, String body, String... headers) {
        return request(g, "POST", "/v1/embeddings", key, body, headers);
    }

    private GatewayResponse request(Gateway g, String method, String path, String key, String body,
            String... headers) {
        Map<String, String> h = new HashMap<>();
        if (key != null) {
            h.put("authorization", "Bearer " + key);
        }
        h.put("content-type", "application/json");
        for (int i = 0; i < headers.length; i += 2) {
            h.put(headers[i], headers[i + 1]);
        }
        return g.handle(new GatewayRequest(method, path, h, body.getBytes(StandardCharsets.UTF_8),
                "req-" + ids.incrementAndGet(), Long.MAX_VALUE));
    }

    private static JsonNode json(GatewayResponse r) {
        try {
            return Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError(new String(r.body(), StandardCharsets.UTF_8), e);
        }
    }

    private static String cache(GatewayResponse r) {
        return r.headers().get("x-switchboard-cache");
    }

    private static float[] floats(JsonNode embedding) {
        if (embedding.isTextual()) {
            ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(embedding.textValue()))
                    .order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[b.remaining() / 4];
            for (int i = 0; i < out.length; i++) {
                out[i] = b.getFloat();
            }
            return out;
        }
        float[] out = new float[embedding.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Float.parseFloat(embedding.get(i).asText());
        }
        return out;
    }

    private static float[] vector(GatewayResponse r, int i) {
        return floats(json(r).path("data").get(i).path("embedding"));
    }

    private static String error(GatewayResponse r, String field) {
        return json(r).path("error").path(field).asText(null);
    }

    private static final String TWO = "{\"model\":\"small\",\"input\":[\"hello\",\"world!\"]}";

    // ---------------------------------------------------------------- the answer

    @Test
    void post_float_openAiShapeHeadersAndMetrics() {
        GatewayResponse r = send(environment(), "key-a", TWO);

        assertEquals(200, r.status(), new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("application/json", r.headers().get("content-type"));
        JsonNode n = json(r);
        assertEquals("list", n.path("object").asText());
        assertEquals("text-embedding-3-small", n.path("model").asText());
        assertEquals(11, n.path("usage").path("prompt_tokens").asInt());
        assertEquals(11, n.path("usage").path("total_tokens").asInt());
        assertEquals(2, n.path("data").size());
        assertEquals("embedding", n.path("data").get(1).path("object").asText());
        assertEquals(1, n.path("data").get(1).path("index").asInt());
        assertTrue(n.path("data").get(0).path("embedding").isArray(), "numbers by default");
        assertArrayEquals(FakeEmbeddingsUpstream.vector(1, 5, 0), vector(r, 0));
        assertArrayEquals(FakeEmbeddingsUpstream.vector(1, 6, 1), vector(r, 1));

        assertEquals("req-1", r.headers().get("x-request-id"));
        assertEquals("up", r.headers().get("x-switchboard-provider"));
        assertEquals("MISS", cache(r));
        assertTrue(r.headers().get("x-switchboard-cache-key").matches("default:[0-9a-f]{64}"),
                r.headers().get("x-switchboard-cache-key"));
        assertTrue(Double.parseDouble(r.headers().get("x-switchboard-upstream-ms")) > 0);
        assertNotNull(r.headers().get("x-switchboard-overhead-ms"));

        RequestOutcome o = outcomes.get(0);
        assertEquals(Operation.EMBEDDINGS, o.operation());
        assertEquals(200, o.status());
        assertEquals("up", o.provider());
        assertEquals("text-embedding-3-small", o.model());
        assertEquals(11, o.tokensIn());
        assertEquals(0, o.tokensOut());
        assertEquals("MISS", o.cache());
        assertTrue(o.upstreamNanos() > 0);
        assertTrue(o.bytesStored() > 0, "stored on the miss");
    }

    @Test
    void post_upstreamReceivesTheRequestAsSent_modelReplaced_keyAttached() throws IOException {
        String body = "{\"input\":[[1,2,3],[4]],\"model\":\"small\",\"dimensions\":4,\"encoding_format\":\"base64\","
                + "\"user\":\"u-7\",\"x_vendor\":{\"truncate\":\"END\"}}";
        assertEquals(200, send(environment(), "key-a", body).status());
        FakeEmbeddingsUpstream.Recorded got = upstream.requests.get(0);
        assertEquals(Json.MAPPER.readTree("{\"model\":\"text-embedding-3-small\",\"input\":[[1,2,3],[4]],"
                + "\"encoding_format\":\"base64\",\"dimensions\":4,\"user\":\"u-7\",\"x_vendor\":{\"truncate\":\"END\"}}"),
                got.json());
        assertEquals("Bearer " + UPSTREAM_KEY, got.header("authorization"));
        assertNotNull(got.header("x-request-id"));
    }

    @Test
    void aFailedCall_isRetried_asChatIs_andTheAnswerSaysSo() {
        upstream.failWith = 503;
        upstream.failFirst = 1;

        GatewayResponse r = send(environment(), "key-a", TWO);

        assertEquals(200, r.status(), r.bodyText());
        assertEquals(2, upstream.calls.get(), "the 503 was retried once");
        assertEquals("2", r.headers().get("x-switchboard-attempts"));
        assertEquals("up/text-embedding-3-small", r.headers().get("x-switchboard-deployment"));
    }

    @Test
    void post_unversionedPath_servedAlike_otherMethods405() {
        Gateway g = environment();
        assertEquals(200, request(g, "POST", "/embeddings", "key-a", TWO).status());
        GatewayResponse get = request(g, "GET", "/v1/embeddings", "key-a", "");
        assertEquals(405, get.status());
        assertEquals("POST", get.headers().get("allow"));
        assertEquals("method_not_allowed", error(get, "code"));
        assertEquals(405, request(g, "PUT", "/embeddings", "key-a", TWO).status());
        assertEquals(404, request(g, "POST", "/v1/embeddings/x", "key-a", TWO).status());
    }

    // ---------------------------------------------------------------- encodings and the cache

    @Test
    void floatAndBase64_agree_andShareOneEntry() {
        Gateway g = environment();
        GatewayResponse asFloat = send(g, "key-a", TWO);
        GatewayResponse asBase64 = send(g, "key-a", TWO.replace("}", ",\"encoding_format\":\"base64\"}"));
        GatewayResponse againFloat = send(g, "key-a", TWO.replace("}", ",\"encoding_format\":\"float\"}"));

        assertEquals("MISS", cache(asFloat));
        assertEquals("HIT-L1", cache(asBase64), "the encoding is not part of the key");
        assertEquals("HIT-L1", cache(againFloat));
        assertTrue(json(asBase64).path("data").get(0).path("embedding").isTextual());
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(vector(asFloat, i), vector(asBase64, i));
        }
        assertArrayEquals(asFloat.body(), againFloat.body(), "a hit answers exactly what the miss answered");
        assertEquals(1, upstream.calls.get());
        assertEquals(asFloat.headers().get("x-switchboard-cache-key"),
                asBase64.headers().get("x-switchboard-cache-key"));
        assertEquals("0.000", asBase64.headers().get("x-switchboard-upstream-ms"));
        assertEquals(0, outcomes.get(1).tokensIn(), "a hit consumed no provider tokens");
    }

    @Test
    void cache_onByDefault_evenUnderTheDeterministicOnlyPolicy() {
        Gateway g = environment("SWITCHBOARD_CACHE_POLICY", "deterministic");
        send(g, "key-a", TWO);
        assertEquals("HIT-L1", cache(send(g, "key-a", TWO)));
        assertEquals(1, upstream.calls.get());
    }

    @Test
    void cache_equivalentRequests_shareOneEntry_differentOnesDoNot() {
        Gateway g = environment();
        send(g, "key-a", "{\"model\":\"small\",\"input\":\"one\"}");
        assertEquals("HIT-L1", cache(send(g, "key-a", "{ \"input\" : [\"one\"], \"model\":\"small\", \"user\":\"x\" }")),
                "one string and an array of it are one input; user does not change vectors");
        send(g, "key-a", "{\"model\":\"small\",\"input\":[1,2]}");
        assertEquals("HIT-L1", cache(send(g, "key-a", "{\"model\":\"small\",\"input\":[[1,2]]}")));
        assertEquals(2, upstream.calls.get());

        assertEquals("MISS", cache(send(g, "key-a", "{\"model\":\"small\",\"input\":\"one\",\"dimensions\":2}")));
        assertEquals("MISS", cache(send(g, "key-a", "{\"model\":\"small\",\"input\":\"One\"}")));
        assertEquals("MISS", cache(send(g, "key-a", "{\"model\":\"small\",\"input\":[\"one\",\"one\"]}")));
        assertEquals("MISS", cache(send(g, "key-a", "{\"model\":\"small\",\"input\":\"one\",\"x_vendor\":1}")),
                "an unknown field may change the vectors");
        assertEquals("MISS", cache(send(g, "key-a", "{\"model\":\"m\",\"input\":\"one\"}")), "another model");
    }

    @Test
    void cache_controls_noStoreNoCacheTtlNamespaceTags() {
        Gateway g = environment();
        GatewayResponse noStore = send(g, "key-a", TWO, "cache-control", "no-store");
        assertEquals("BYPASS", cache(noStore));
        assertNull(noStore.headers().get("x-switchboard-cache-key"));
        assertEquals("MISS", cache(send(g, "key-a", TWO)), "no-store wrote nothing");

        GatewayResponse refresh = send(g, "key-a", TWO, "cache-control", "no-cache");
        assertEquals("REFRESH", cache(refresh));
        assertEquals(3, upstream.calls.get(), "no-cache looks nothing up");
        GatewayResponse hit = send(g, "key-a", TWO);
        assertEquals("HIT-L1", cache(hit));
        assertEquals(3.0f, vector(hit, 0)[0], 0f, "the refresh replaced the entry with the third call's vectors");

        GatewayResponse ns = send(g, "key-a", TWO, "x-switchboard-cache-namespace", "search-v2",
                "x-switchboard-cache-ttl", "60", "x-switchboard-cache-tags", "project:x,index:v3");
        assertEquals("MISS", cache(ns), "another namespace, another entry");
        assertTrue(ns.headers().get("x-switchboard-cache-key").startsWith("search-v2:"));
        assertEquals("HIT-L1", cache(send(g, "key-a", TWO, "x-switchboard-cache-namespace", "search-v2")));

        GatewayResponse badTtl = send(g, "key-a", TWO, "x-switchboard-cache-ttl", "soon");
        assertEquals(400, badTtl.status());
        assertEquals("x-switchboard-cache-ttl", error(badTtl, "param"));
    }

    @Test
    void cache_offSwitch_bypasses() {
        Gateway g = environment("SWITCHBOARD_CACHE", "off");
        assertEquals("BYPASS", cache(send(g, "key-a", TWO)));
        assertEquals("BYPASS", cache(send(g, "key-a", TWO)));
        assertEquals(2, upstream.calls.get());
    }

    @Test
    void cache_tenantsNeverShareAnEntry() {
        Gateway g = environment();
        GatewayResponse a = send(g, "key-a", TWO);
        GatewayResponse b = send(g, "key-b", TWO);
        assertEquals("MISS", cache(a));
        assertEquals("MISS", cache(b), "tenant b does not see tenant a's entry");
        assertEquals(2, upstream.calls.get());
        assertEquals(1.0f, vector(send(g, "key-a", TWO), 0)[0], 0f, "each tenant is answered from its own entry");
        assertEquals(2.0f, vector(send(g, "key-b", TWO), 0)[0], 0f);
        assertEquals(a.headers().get("x-switchboard-cache-key"), b.headers().get("x-switchboard-cache-key"),
                "the header names the entry within the caller's own tenant");
    }

    @Test
    void cache_embeddingsAndChat_neverAnswerEachOther() {
        Gateway g = environment();
        GatewayResponse chat = request(g, "POST", "/v1/chat/completions", "key-a",
                "{\"model\":\"fast\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"one\"}]}");
        GatewayResponse emb = send(g, "key-a", "{\"model\":\"fast\",\"input\":\"one\"}");
        assertEquals("MISS", cache(chat));
        assertEquals("MISS", cache(emb));
        assertNotEquals(chat.headers().get("x-switchboard-cache-key"), emb.headers().get("x-switchboard-cache-key"));
        assertEquals("list", json(send(g, "key-a", "{\"model\":\"fast\",\"input\":\"one\"}")).path("object").asText());
        assertEquals("chat.completion", json(request(g, "POST", "/v1/chat/completions", "key-a",
                "{\"model\":\"fast\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"one\"}]}"))
                .path("object").asText());
    }

    @Test
    void cache_sharedL2_servesAnotherEnvironment() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            Gateway one = environment("SWITCHBOARD_CACHE_URL", redis.url(), "SWITCHBOARD_CACHE_L2_TIMEOUT_MS", "200");
            Gateway two = environment("SWITCHBOARD_CACHE_URL", redis.url(), "SWITCHBOARD_CACHE_L2_TIMEOUT_MS", "200");
            GatewayResponse miss = send(one, "key-a", TWO);
            GatewayResponse l2 = send(two, "key-a", TWO.replace("}", ",\"encoding_format\":\"base64\"}"));
            assertEquals("MISS", cache(miss));
            assertEquals("HIT-L2", cache(l2));
            assertArrayEquals(vector(miss, 1), vector(l2, 1));
            assertEquals("MISS", cache(send(two, "key-b", TWO)), "L2 entries are per tenant too");
            assertEquals(2, upstream.calls.get());
        }
    }

    @Test
    void cache_tooLargeAsNumbers_storedAndServedAsBase64() {
        Gateway g = environment();
        StringJoiner items = new StringJoiner(",", "[", "]");
        for (int i = 0; i < 512; i++) {
            items.add("\"item " + i + "\"");
        }
        String body = "{\"model\":\"fast\",\"dimensions\":1536,\"input\":" + items + "}";
        GatewayResponse numbers = send(g, "key-a", body);
        assertEquals(502, numbers.status());
        assertEquals("response_too_large", error(numbers, "code"));
        assertTrue(error(numbers, "message").contains("base64"), error(numbers, "message"));
        GatewayResponse b64 = send(g, "key-a", body.replace("}", ",\"encoding_format\":\"base64\"}"));
        assertEquals(200, b64.status());
        assertEquals("HIT-L1", cache(b64), "the provider's answer was kept though the first caller could not get it");
        assertEquals(512, json(b64).path("data").size());
        assertEquals(1536, vector(b64, 511).length);
    }

    // ---------------------------------------------------------------- errors

    @Test
    void badRequests_400NamingTheField_neverCalled() {
        Gateway g = environment();
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{\"model\":\"small\"}", "input");
        cases.put("{\"model\":\"small\",\"input\":\"\"}", "input");
        cases.put("{\"model\":\"small\",\"input\":[]}", "input");
        cases.put("{\"model\":\"small\",\"input\":[\"a\",\"\"]}", "input[1]");
        cases.put("{\"model\":\"small\",\"input\":[[1],[\"x\"]]}", "input[1][0]");
        cases.put("{\"model\":\"small\",\"input\":\"a\",\"encoding_format\":\"int8\"}", "encoding_format");
        cases.put("{\"model\":\"small\",\"input\":\"a\",\"dimensions\":0}", "dimensions");
        cases.put("{\"input\":\"a\"}", "model");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            GatewayResponse r = send(g, "key-a", c.getKey());
            assertEquals(400, r.status(), c.getKey());
            assertEquals(c.getValue(), error(r, "param"), c.getKey());
            assertEquals("invalid_request_error", error(r, "type"));
            assertEquals("invalid_value", error(r, "code"));
            assertNull(r.headers().get("x-switchboard-provider"));
        }
        StringJoiner many = new StringJoiner(",", "{\"model\":\"small\",\"input\":[", "]}");
        for (int i = 0; i < 2049; i++) {
            many.add("\"x\"");
        }
        assertEquals("input", error(send(g, "key-a", many.toString()), "param"));
        assertEquals("invalid_json", error(send(g, "key-a", "{\"model\":"), "code"));
        assertEquals(0, upstream.calls.get());
        assertTrue(outcomes.stream().allMatch(o -> o.status() == 400 && o.operation() == Operation.EMBEDDINGS));
    }

    @Test
    void gatewayChecks_authModelMediaTypeAndSize() {
        Gateway g = environment("SWITCHBOARD_MAX_REQUEST_BYTES", "200");
        GatewayResponse noKey = send(g, null, TWO);
        assertEquals(401, noKey.status());
        assertEquals("Bearer", noKey.headers().get("www-authenticate"));
        assertEquals(401, send(g, "key-z", TWO).status());
        GatewayResponse unknown = send(g, "key-a", "{\"model\":\"smal\",\"input\":\"x\"}");
        assertEquals(404, unknown.status());
        assertEquals("model_not_found", error(unknown, "code"));
        assertEquals(415, send(g, "key-a", TWO, "content-type", "application/xml").status());
        assertEquals(413, send(g, "key-a", "{\"model\":\"small\",\"input\":\"" + "x".repeat(300) + "\"}").status());
        GatewayResponse unsupported = send(g, "key-a", "{\"model\":\"claude\",\"input\":\"x\"}");
        assertEquals(400, unsupported.status());
        assertEquals("provider_not_supported", error(unsupported, "code"));
        assertEquals("model", error(unsupported, "param"));
        assertEquals(0, upstream.calls.get());
    }

    @Test
    void upstreamFailures_mapped_neverCached() {
        Gateway g = environment("SWITCHBOARD_UPSTREAM_TIMEOUT_MS", "1000");
        upstream.failWith = 429;
        upstream.failHeaders = Map.of("retry-after", "17");
        GatewayResponse limited = send(g, "key-a", TWO);
        assertEquals(429, limited.status());
        assertEquals("17", limited.headers().get("retry-after"));
        assertEquals("rate_limit_exceeded", error(limited, "code"));
        assertEquals(1, upstream.calls.get(), "a Retry-After beyond what the gateway waits is answered, not waited");

        // the deployment stays out for its Retry-After in that environment: the next failures in a fresh one
        g = environment("SWITCHBOARD_UPSTREAM_TIMEOUT_MS", "1000");
        upstream.failWith = 401;
        upstream.failHeaders = Map.of();
        assertEquals("upstream_authentication_failed", error(send(g, "key-a", TWO), "code"));
        upstream.failWith = 500;
        GatewayResponse failed = send(g, "key-a", TWO);
        assertEquals(502, failed.status());
        assertEquals("upstream_error", error(failed, "code"));
        assertNull(failed.headers().get("x-switchboard-provider"));
        assertNotNull(failed.headers().get("x-request-id"));

        // failures open the deployment's breaker in that environment: each kind below in a fresh one
        g = environment("SWITCHBOARD_UPSTREAM_TIMEOUT_MS", "1000");
        upstream.failWith = 0;
        upstream.rawAnswer = "{\"object\":\"list\",\"data\":[{\"index\":0,\"embedding\":[1]}],\"model\":\"x\"}";
        GatewayResponse short1 = send(g, "key-a", TWO);
        assertEquals(502, short1.status());
        assertEquals("upstream_invalid_response", error(short1, "code"), "one embedding for two inputs");
        upstream.rawAnswer = "<html>oops</html>";
        g = environment("SWITCHBOARD_UPSTREAM_TIMEOUT_MS", "1000");
        assertEquals("upstream_invalid_response", error(send(g, "key-a", TWO), "code"));

        upstream.rawAnswer = null;
        g = environment("SWITCHBOARD_UPSTREAM_TIMEOUT_MS", "1000");
        upstream.delayMillis = 2500; // over the gateway's 1 s upstream timeout
        GatewayResponse slow = send(g, "key-a", TWO);
        assertEquals(504, slow.status());
        assertEquals("upstream_timeout", error(slow, "code"));

        upstream.delayMillis = 0;
        assertEquals("MISS", cache(send(g, "key-a", TWO)), "no failure was cached");
        // 429 with a long Retry-After: one call; 401 and the invalid answers: not retried; 500 and the timeout: retried
        assertTrue(upstream.calls.get() > 7, "the retriable failures were retried: " + upstream.calls.get());
        List<Integer> statuses = outcomes.stream().map(RequestOutcome::status).toList();
        assertEquals(List.of(429, 502, 502, 502, 502, 504, 200), statuses);
    }

    @Test
    void invocationWithoutTimeLeft_504BeforeCalling() {
        Gateway g = environment();
        GatewayResponse r = g.handle(new GatewayRequest("POST", "/v1/embeddings", Map.of("authorization",
                "Bearer key-a"), TWO.getBytes(StandardCharsets.UTF_8), "late", 500));
        assertEquals(504, r.status());
        assertEquals(0, upstream.calls.get());
    }

    @Test
    void neitherKeyNorInput_inErrorsOrLogs() {
        Gateway g = environment("SWITCHBOARD_UPSTREAM_TIMEOUT_MS", "1000");
        String body = "{\"model\":\"small\",\"input\":[\"" + SECRET_INPUT + "\"]}";
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        List<GatewayResponse> answers = new ArrayList<>();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            upstream.failBody = "{\"error\":{\"message\":\"key " + UPSTREAM_KEY + " input " + SECRET_INPUT
                    + "\",\"type\":\"server_error\",\"param\":\"" + SECRET_INPUT + "\",\"code\":\"" + UPSTREAM_KEY
                    + "\"}}";
            for (int status : new int[] {400, 401, 404, 429, 500, 503}) {
                upstream.failWith = status;
                answers.add(send(g, "key-a", body));
            }
            upstream.failWith = 0;
            upstream.rawAnswer = "{\"data\":[{\"index\":0,\"embedding\":\"" + SECRET_INPUT + "\"}]}";
            answers.add(send(g, "key-a", body));
            upstream.rawAnswer = null;
            upstream.delayMillis = 2500;
            answers.add(send(g, "key-a", body));
            answers.add(send(g, "key-a", "{\"model\":\"small\",\"input\":[\"" + SECRET_INPUT + "\",7]}"));
        } finally {
            System.setErr(err);
            upstream.failBody = "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"param\":null,"
                    + "\"code\":null}}";
        }
        String logs = captured.toString(StandardCharsets.UTF_8);
        assertTrue(logs.contains("\"route\":\"embeddings\""), "5xx answers were logged: " + logs);
        for (String secret : List.of(UPSTREAM_KEY, "0000-1111", "launch code")) {
            assertFalse(logs.contains(secret), "logged: " + logs);
            for (GatewayResponse a : answers) {
                assertTrue(a.status() >= 400);
                String text = new String(a.body(), StandardCharsets.UTF_8) + a.headers();
                assertFalse(text.contains(secret), text);
            }
        }
    }

    @Test
    void primingSamples_missThenHitsInBothEncodingsThenARefusal() {
        Gateway g = Gateway.builder(Settings.from(Map.of("SWITCHBOARD_API_KEYS", "a:" + Authenticator.sha256Hex("k"),
                "SWITCHBOARD_METRICS", "off", "SWITCHBOARD_CONFIG", "{\"providers\":{\"mock\":{\"type\":\"mock\"}},"
                        + "\"models\":{\"" + PrimingSamples.MODEL + "\":\"mock/mock-1\"}}"))).build();
        gateways.add(g);
        List<String> seen = new ArrayList<>();
        for (byte[] body : PrimingSamples.EMBEDDING_REQUESTS) {
            GatewayResponse r = send(g, "k", new String(body, StandardCharsets.UTF_8));
            seen.add(r.status() + " " + cache(r));
        }
        assertEquals(List.of("200 MISS", "200 HIT-L1", "200 HIT-L1", "400 null"), seen,
                "the samples walk the paths their documentation names");
    }

    @Test
    void mockProvider_offline_dimensionsHonoured() {
        Gateway g = environment();
        GatewayResponse r = send(g, "key-a", "{\"model\":\"fast\",\"input\":[\"a\",\"b\"],\"dimensions\":32}");
        assertEquals(200, r.status());
        assertEquals("mock", r.headers().get("x-switchboard-provider"));
        assertEquals(32, vector(r, 0).length);
        assertEquals(8, vector(send(g, "key-a", "{\"model\":\"fast\",\"input\":\"a\"}"), 0).length, "the default");
        assertEquals(0, upstream.calls.get());
    }
}
