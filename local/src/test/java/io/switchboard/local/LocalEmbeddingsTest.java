package io.switchboard.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/embeddings} end to end through the local run of {@code template.yaml} (the mock provider), over HTTP:
 * both encodings, {@code dimensions}, the cache, bad requests.
 */
class LocalEmbeddingsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = LocalGateway.DEFAULT_DEV_KEY;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private LocalGateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private void start(Map<String, String> env) throws Exception {
        Map<String, String> processEnv = new HashMap<>(env);
        processEnv.putIfAbsent("SWITCHBOARD_METRICS", "off");
        gateway = LocalGateway.start(Project.template(), 0, processEnv, Map.of());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .header("content-type", "application/json")
                .header("authorization", "Bearer " + KEY)
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static float[] vector(JsonNode embedding) {
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
            out[i] = embedding.get(i).floatValue();
        }
        return out;
    }

    private static String cache(HttpResponse<String> r) {
        return r.headers().firstValue("x-switchboard-cache").orElse(null);
    }

    @Test
    void post_embeddings_floatAndBase64Agree_dimensionsHonoured_secondCallIsAHit() throws Exception {
        start(Map.of());
        String body = "{\"model\":\"fast\",\"input\":[\"Hello over HTTP\",\"and again\"],\"dimensions\":64}";

        HttpResponse<String> floats = post("/v1/embeddings", body);
        assertEquals(200, floats.statusCode(), floats.body());
        assertEquals("MISS", cache(floats), "priming left nothing in the cache");
        JsonNode f = JSON.readTree(floats.body());
        assertEquals("list", f.path("object").asText());
        assertEquals("mock-1", f.path("model").asText());
        assertEquals(2, f.path("data").size());
        assertTrue(f.path("data").get(0).path("embedding").isArray());
        assertEquals(64, f.path("data").get(0).path("embedding").size(), "dimensions honoured");
        assertTrue(f.path("usage").path("prompt_tokens").asInt() > 0);
        assertEquals("mock", floats.headers().firstValue("x-switchboard-provider").orElse(null));
        assertTrue(floats.headers().firstValue("x-switchboard-overhead-ms").isPresent());
        assertTrue(floats.headers().firstValue("x-switchboard-upstream-ms").isPresent());
        assertTrue(floats.headers().firstValue("x-switchboard-cache-key").orElse("").startsWith("default:"));
        assertEquals(floats.headers().firstValue("x-amzn-requestid"), floats.headers().firstValue("x-request-id"),
                "served by the streaming function's HTTP application, as the REST API route is on AWS");

        HttpResponse<String> base64 = post("/v1/embeddings", body.replace("}", ",\"encoding_format\":\"base64\"}"));
        assertEquals(200, base64.statusCode(), base64.body());
        assertEquals("HIT-L1", cache(base64), "the second identical call is a hit, whatever its encoding");
        JsonNode b = JSON.readTree(base64.body());
        for (int i = 0; i < 2; i++) {
            JsonNode e = b.path("data").get(i).path("embedding");
            assertTrue(e.isTextual(), "base64 asked, base64 answered");
            assertArrayEquals(vector(f.path("data").get(i).path("embedding")), vector(e),
                    "float and base64 answers agree bit for bit");
        }

        HttpResponse<String> again = post("/embeddings", body);
        assertEquals("HIT-L1", cache(again));
        assertEquals(floats.body(), again.body(), "the unversioned route, from the cache, the same answer");

        HttpResponse<String> eight = post("/v1/embeddings", "{\"model\":\"fast\",\"input\":\"Hello over HTTP\"}");
        assertEquals(8, JSON.readTree(eight.body()).path("data").get(0).path("embedding").size(),
                "the mock's default length");
    }

    @Test
    void post_embeddings_badInputs_400NamingTheField() throws Exception {
        start(Map.of());
        Map<String, String> cases = Map.of(
                "{\"model\":\"fast\",\"input\":\"\"}", "input",
                "{\"model\":\"fast\",\"input\":[]}", "input",
                "{\"model\":\"fast\",\"input\":[\"a\",\"\"]}", "input[1]",
                "{\"model\":\"fast\",\"input\":[1,-1]}", "input[1]",
                "{\"model\":\"fast\",\"input\":\"a\",\"encoding_format\":\"hex\"}", "encoding_format",
                "{\"model\":\"fast\",\"input\":\"a\",\"dimensions\":0}", "dimensions",
                "{\"input\":\"a\"}", "model");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> r = post("/v1/embeddings", c.getKey());
            assertEquals(400, r.statusCode(), c.getKey());
            JsonNode error = JSON.readTree(r.body()).path("error");
            assertEquals(c.getValue(), error.path("param").asText(), c.getKey());
            assertEquals("invalid_request_error", error.path("type").asText());
        }
        assertEquals(404, post("/v1/embeddings", "{\"model\":\"nope\",\"input\":\"a\"}").statusCode());
        assertEquals("invalid_json", JSON.readTree(post("/v1/embeddings", "{\"model\":").body())
                .path("error").path("code").asText());
    }
}
