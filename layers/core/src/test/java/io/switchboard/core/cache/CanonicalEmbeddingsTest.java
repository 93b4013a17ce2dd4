package io.switchboard.core.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.shared.embeddings.EmbeddingRequest;
import io.switchboard.shared.json.ChatRequestReader;
import io.switchboard.shared.json.EmbeddingRequestReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The canonical form of an embeddings request: what shares a key, what does not, and its own digest domain. */
class CanonicalEmbeddingsTest {

    private static EmbeddingRequest req(String json) {
        return EmbeddingRequestReader.read(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String digest(String json) {
        return CanonicalRequests.digest("p", "m", req(json));
    }

    @Test
    void digest_sameVectors_sameKey() {
        String d = digest("{\"model\":\"a\",\"input\":\"hello\"}");
        for (String same : List.of(
                "{ \"input\" : [\"hello\"] , \"model\" : \"a\" }",
                "{\"model\":\"another-alias\",\"input\":\"hello\"}",
                "{\"model\":\"a\",\"input\":\"hello\",\"encoding_format\":\"base64\"}",
                "{\"model\":\"a\",\"input\":\"hello\",\"encoding_format\":\"float\",\"user\":\"u-1\"}",
                "{\"model\":\"a\",\"input\":\"hello\",\"dimensions\":null}")) {
            assertEquals(d, digest(same), same);
        }
        assertEquals(digest("{\"model\":\"a\",\"input\":[5,6]}"), digest("{\"model\":\"a\",\"input\":[[5,6]]}"));
        assertEquals(digest("{\"model\":\"a\",\"input\":\"x\",\"v\":{\"b\":1,\"a\":2.50}}"),
                digest("{\"model\":\"a\",\"input\":\"x\",\"v\":{\"a\":2.5,\"b\":1.0}}"));
    }

    @Test
    void digest_anythingThatChangesVectors_changesTheKey() {
        String d = digest("{\"model\":\"a\",\"input\":\"hello\"}");
        assertNotEquals(d, CanonicalRequests.digest("p", "m2", req("{\"model\":\"a\",\"input\":\"hello\"}")));
        assertNotEquals(d, CanonicalRequests.digest("p2", "m", req("{\"model\":\"a\",\"input\":\"hello\"}")));
        for (String other : List.of(
                "{\"model\":\"a\",\"input\":\"Hello\"}",
                "{\"model\":\"a\",\"input\":[\"hello\",\"hello\"]}",
                "{\"model\":\"a\",\"input\":\"hello\",\"dimensions\":8}",
                "{\"model\":\"a\",\"input\":\"hello\",\"input_type\":\"query\"}")) {
            assertNotEquals(d, digest(other), other);
        }
        assertNotEquals(digest("{\"model\":\"a\",\"input\":[\"1\"]}"), digest("{\"model\":\"a\",\"input\":[1]}"),
                "text and token ids are different inputs");
        assertNotEquals(digest("{\"model\":\"a\",\"input\":[[1],[2]]}"), digest("{\"model\":\"a\",\"input\":[[1,2]]}"));
    }

    @Test
    void canonical_ownDomain_neverAChatForm() {
        byte[] emb = CanonicalRequests.canonical("p", "m", req("{\"model\":\"a\",\"input\":\"hello\"}"));
        String text = new String(emb, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("embeddings\n{"), text);
        // a chat request carrying every field of the embeddings form as unknown fields still hashes elsewhere:
        // every chat form is a JSON object, so it begins with '{'
        byte[] chat = CanonicalRequests.canonical("p", "m", ChatRequestReader.read(("{\"model\":\"a\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"hello\"}],\"input\":{\"items\":[\"hello\"],\"kind\":\"text\"}}")
                .getBytes(StandardCharsets.UTF_8)));
        assertEquals('{', (char) chat[0]);
        assertNotEquals(CanonicalRequests.digest("p", "m", req("{\"model\":\"a\",\"input\":\"hello\"}")),
                CanonicalRequests.digest("p", "m", ChatRequestReader.read(("{\"model\":\"a\",\"messages\":"
                        + "[{\"role\":\"user\",\"content\":\"hello\"}]}").getBytes(StandardCharsets.UTF_8))));
        assertEquals("embeddings\n{\"_model\":\"m\",\"_provider\":\"p\",\"dimensions\":3,\"input\":{\"items\":"
                + "[[1,2]],\"kind\":\"tokens\"}}", new String(CanonicalRequests.canonical("p", "m",
                        req("{\"model\":\"a\",\"input\":[1,2],\"dimensions\":3}")), StandardCharsets.UTF_8));
    }

    @Test
    void chatDigests_unchangedByTheIntegerFastPath() {
        // the integer shortcut must spell integers exactly as the decimal path did, or every chat key would move
        String d = CanonicalRequests.digest("p", "m", ChatRequestReader.read(("{\"model\":\"a\",\"seed\":100,"
                + "\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"logit_bias\":{\"5\":-100,"
                + "\"6\":0}}").getBytes(StandardCharsets.UTF_8)));
        assertEquals("{\"_model\":\"m\",\"_provider\":\"p\",\"logit_bias\":{\"5\":-100,\"6\":0},\"max_tokens\":10,"
                + "\"messages\":[{\"content\":\"x\",\"role\":\"user\"}],\"n\":1,\"seed\":100}",
                new String(CanonicalRequests.canonical("p", "m", ChatRequestReader.read(("{\"model\":\"a\","
                        + "\"seed\":100,\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                        + "\"logit_bias\":{\"5\":-100,\"6\":0}}").getBytes(StandardCharsets.UTF_8))),
                        StandardCharsets.UTF_8));
        assertEquals(64, d.length());
    }
}
