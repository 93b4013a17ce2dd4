package io.switchboard.core.provider.bedrock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Embeddings answers of each family, read by streaming into vectors. */
class EmbeddingAnswerTest {
    private static EmbeddingFamily.Answer read(String json, int expected) throws Exception {
        return EmbeddingFamily.read(json.getBytes(StandardCharsets.UTF_8), expected);
    }

    @Test
    void titan_oneVector_andItsTokenCount() throws Exception {
        EmbeddingFamily.Answer a = read("{\"embedding\":[0.5,-1,2.25e-3],\"inputTextTokenCount\":7,"
                + "\"embeddingsByType\":{\"float\":[9]}}", 1);
        assertEquals(1, a.vectors().size());
        assertArrayEquals(new float[] {0.5f, -1f, 0.00225f}, a.vectors().get(0));
        assertEquals(7, a.tokens());
    }

    @Test
    void cohere_listOrByType_floatsOnly_noTokenCountInTheBody() throws Exception {
        EmbeddingFamily.Answer list = read("{\"id\":\"x\",\"embeddings\":[[1,2],[3,4]],\"texts\":[\"a\",\"b\"]}", 2);
        assertArrayEquals(new float[] {3, 4}, list.vectors().get(1));
        assertEquals(-1, list.tokens());
        EmbeddingFamily.Answer byType = read("{\"embeddings\":{\"int8\":[[1],[2]],\"float\":[[0.25],[0.75]]},"
                + "\"response_type\":\"embeddings_by_type\"}", 2);
        assertArrayEquals(new float[] {0.75f}, byType.vectors().get(1));
    }

    @Test
    void aLongVector_growsPastTheFirstBuffer() throws Exception {
        StringBuilder b = new StringBuilder("{\"embedding\":[");
        for (int i = 0; i < 3000; i++) {
            b.append(i == 0 ? "" : ",").append(i);
        }
        float[] v = read(b.append("]}").toString(), 1).vectors().get(0);
        assertEquals(3000, v.length);
        assertEquals(2999f, v[2999]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"embedding\":[1]}", "{\"embeddings\":[[1],[2],[3]]}", "{}",
            "{\"embeddings\":{\"int8\":[[1],[2]]}}"})
    void aVectorCountOtherThanExpected_isInvalid(String json) {
        assertThrows(IllegalStateException.class, () -> read(json, 2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "{\"embedding\":[]}", "{\"embedding\":[\"1\"]}", "{\"embedding\":\"AAAA\"}",
            "{\"embeddings\":\"x\"}", "{\"embeddings\":[[1],null]}"})
    void malformedAnswers_areInvalid(String json) {
        assertThrows(IllegalStateException.class, () -> read(json, 1));
    }
}
