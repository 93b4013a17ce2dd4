package io.switchboard.shared.embeddings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.json.EmbeddingJson;
import io.switchboard.shared.json.EmbeddingRequestReader;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link EmbeddingJson}: the request as providers get it, the answer in both encodings, and provider answers read. */
class EmbeddingJsonTest {
    private static final float[] V0 = {0.0023064255f, -0.009327292f, 1.0e-7f, 1f, -0.5f, 3.4028235e38f};
    private static final float[] V1 = {-0.015797347f, 0f, 0.25f, 7.0e-45f, 0.1f, -1f};

    private static JsonNode tree(byte[] json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static EmbeddingResponse response() {
        return new EmbeddingResponse("text-embedding-3-small", List.of(Embedding.of(1, V1), Embedding.of(0, V0)),
                9, 9, Map.of());
    }

    @Test
    void writeRequest_everyFieldAsSent_modelReplaced() {
        EmbeddingRequest r = EmbeddingRequestReader.read(("{\"input\":[[1,2],[3]],\"model\":\"small\","
                + "\"encoding_format\":\"base64\",\"dimensions\":64,\"user\":\"u-1\",\"x_vendor\":[1,{\"a\":null}]}")
                .getBytes(StandardCharsets.UTF_8));
        JsonNode sent = tree(EmbeddingJson.writeRequest(r, "text-embedding-3-small"));
        assertEquals(tree(("{\"model\":\"text-embedding-3-small\",\"input\":[[1,2],[3]],\"encoding_format\":\"base64\","
                + "\"dimensions\":64,\"user\":\"u-1\",\"x_vendor\":[1,{\"a\":null}]}").getBytes(StandardCharsets.UTF_8)),
                sent);
    }

    @Test
    void writeRequest_absentOptions_notInvented() {
        JsonNode sent = tree(EmbeddingJson.writeRequest(EmbeddingRequest.of("m", EmbeddingInput.text("hi")), "p"));
        assertEquals(tree("{\"model\":\"p\",\"input\":\"hi\"}".getBytes(StandardCharsets.UTF_8)), sent);
    }

    @Test
    void writeResponse_float_openAiShapeOrderedByIndex() {
        JsonNode n = tree(EmbeddingJson.writeResponse(response(), EncodingFormat.FLOAT));
        assertEquals("list", n.path("object").asText());
        assertEquals("text-embedding-3-small", n.path("model").asText());
        assertEquals(9, n.path("usage").path("prompt_tokens").asInt());
        assertEquals(9, n.path("usage").path("total_tokens").asInt());
        assertFalse(n.path("usage").has("completion_tokens"));
        assertEquals(2, n.path("data").size());
        for (int i = 0; i < 2; i++) {
            JsonNode d = n.path("data").get(i);
            assertEquals("embedding", d.path("object").asText());
            assertEquals(i, d.path("index").asInt());
            float[] expected = i == 0 ? V0 : V1;
            assertEquals(expected.length, d.path("embedding").size());
            for (int k = 0; k < expected.length; k++) {
                assertEquals(expected[k], Float.parseFloat(d.path("embedding").get(k).asText()),
                        "the decimal reads back as the same float32");
            }
        }
    }

    @Test
    void writeResponse_base64_isLittleEndianFloat32() {
        JsonNode n = tree(EmbeddingJson.writeResponse(response(), EncodingFormat.BASE64));
        String b64 = n.path("data").get(0).path("embedding").textValue();
        byte[] bytes = Base64.getDecoder().decode(b64);
        assertEquals(V0.length * 4, bytes.length);
        ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : V0) {
            assertEquals(Float.floatToRawIntBits(v), le.getInt());
        }
        // 1.0f is 0x3F800000: little-endian bytes 00 00 80 3F
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3F}, java.util.Arrays.copyOfRange(bytes, 12, 16));
        assertEquals(Base64.getEncoder().encodeToString(bytes), b64, "standard alphabet with padding, one line");
    }

    @Test
    void bothEncodings_readBackToTheSameVectors() {
        EmbeddingResponse original = response();
        for (EncodingFormat f : EncodingFormat.values()) {
            EmbeddingResponse back = EmbeddingJson.readResponse(EmbeddingJson.writeResponse(original, f), "x");
            assertEquals(original, back, f.wire());
        }
    }

    @Test
    void randomVectors_floatAndBase64AgreeBitForBit() {
        SplittableRandom random = new SplittableRandom(42);
        float[] v = new float[1536];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian() * (float) Math.pow(10, random.nextInt(-8, 3));
        }
        EmbeddingResponse r = new EmbeddingResponse("m", List.of(Embedding.of(0, v)), 1, 1, Map.of());
        EmbeddingResponse viaFloat = EmbeddingJson.readResponse(EmbeddingJson.writeResponse(r, EncodingFormat.FLOAT), "m");
        EmbeddingResponse viaBase64 = EmbeddingJson.readResponse(EmbeddingJson.writeResponse(r, EncodingFormat.BASE64),
                "m");
        assertArrayEquals(v, viaFloat.data().get(0).toArray());
        assertArrayEquals(v, viaBase64.data().get(0).toArray());
        assertTrue(EmbeddingJson.writeResponse(r, EncodingFormat.BASE64).length
                >= EmbeddingJson.minimumSize(r, EncodingFormat.BASE64));
        assertTrue(EmbeddingJson.writeResponse(r, EncodingFormat.FLOAT).length
                >= EmbeddingJson.minimumSize(r, EncodingFormat.FLOAT));
    }

    @Test
    void readResponse_openAiFloatAnswer() {
        String body = """
                {
                  "object": "list",
                  "data": [
                    {"object": "embedding", "index": 0, "embedding": [0.0023064255, -0.009327292, 0.015797347]},
                    {"object": "embedding", "index": 1, "embedding": [-0.0077780345, 0, 1e-3]}
                  ],
                  "model": "text-embedding-3-small",
                  "usage": {"prompt_tokens": 8, "total_tokens": 8}
                }""";
        EmbeddingResponse r = EmbeddingJson.readResponse(body.getBytes(StandardCharsets.UTF_8), "fallback");
        assertEquals("text-embedding-3-small", r.model());
        assertEquals(8, r.promptTokens());
        assertEquals(8, r.totalTokens());
        assertArrayEquals(new float[] {0.0023064255f, -0.009327292f, 0.015797347f}, r.data().get(0).toArray());
        assertArrayEquals(new float[] {-0.0077780345f, 0f, 0.001f}, r.data().get(1).toArray());
        assertTrue(r.answers(2));
    }

    @Test
    void readResponse_base64Answer_outOfOrder_unpadded_extraFieldsKept() {
        byte[] b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.5f).putFloat(-2f).array();
        String padded = Base64.getEncoder().encodeToString(b);
        String unpadded = Base64.getEncoder().withoutPadding().encodeToString(b);
        String body = "{\"id\":\"embd-1\",\"object\":\"list\",\"data\":[{\"index\":1,\"embedding\":\"" + unpadded
                + "\",\"object\":\"embedding\"},{\"index\":0,\"embedding\":\"" + padded + "\"}],\"usage\":"
                + "{\"prompt_tokens\":3}}";
        EmbeddingResponse r = EmbeddingJson.readResponse(body.getBytes(StandardCharsets.UTF_8), "fallback");
        assertEquals("fallback", r.model(), "an answer naming no model is named after the provider's model id");
        assertEquals(0, r.data().get(0).index());
        assertArrayEquals(new float[] {0.5f, -2f}, r.data().get(1).toArray());
        assertEquals(3, r.totalTokens(), "total defaults to the prompt tokens");
        assertEquals("embd-1", r.extensions().get("id").asText());
        assertEquals("embd-1", tree(EmbeddingJson.writeResponse(r, EncodingFormat.FLOAT)).path("id").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "not json",
        "[]",
        "{\"object\":\"list\"}",
        "{\"data\":{}}",
        "{\"data\":[1]}",
        "{\"data\":[{\"index\":0}]}",
        "{\"data\":[{\"index\":0,\"embedding\":[\"a\"]}]}",
        "{\"data\":[{\"index\":0,\"embedding\":[1e39]}]}",
        "{\"data\":[{\"index\":0,\"embedding\":{}}]}",
        "{\"data\":[{\"index\":-1,\"embedding\":[1]}]}",
        "{\"data\":[{\"index\":0,\"embedding\":\"AAA\"}]}",
        "{\"data\":[{\"index\":0,\"embedding\":\"%%%%\"}]}",
        "{\"data\":[{\"index\":0,\"embedding\":\"AADAfw==\"}]}",
        "{\"data\":[],\"data\":[]}",
        "{\"data\":[]} trailing",
        "{\"error\":{\"message\":\"boom\"}}"
    })
    void readResponse_notTheFormat_upstreamInvalidResponse(String body) {
        GatewayException e = assertThrows(GatewayException.class,
                () -> EmbeddingJson.readResponse(body.getBytes(StandardCharsets.UTF_8), "m"));
        assertEquals(ErrorKind.UPSTREAM_INVALID_RESPONSE, e.kind());
        assertEquals(502, e.status());
    }

    @Test
    void answers_checksOneEmbeddingPerIndex() {
        float[] v = {1f};
        assertTrue(new EmbeddingResponse("m", List.of(Embedding.of(0, v), Embedding.of(1, v)), 0, 0, null)
                .answers(2));
        assertFalse(new EmbeddingResponse("m", List.of(Embedding.of(0, v)), 0, 0, null).answers(2));
        assertFalse(new EmbeddingResponse("m", List.of(Embedding.of(0, v), Embedding.of(0, v)), 0, 0, null)
                .answers(2));
        assertFalse(new EmbeddingResponse("m", List.of(Embedding.of(1, v), Embedding.of(2, v)), 0, 0, null)
                .answers(2));
    }

    @Test
    void embedding_isImmutable() {
        float[] v = {1f, 2f};
        Embedding e = Embedding.of(0, v);
        v[0] = 9f;
        e.toArray()[1] = 9f;
        assertArrayEquals(new float[] {1f, 2f}, e.toArray());
        assertThrows(IllegalArgumentException.class, () -> Embedding.of(0, new float[] {Float.NaN}));
    }
}
