package io.switchboard.core.provider.bedrock.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.Recorded;
import io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * InvokeModel answers of Bedrock's embedding models, as the real ones shape them: Titan's {@code embedding} and
 * {@code inputTextTokenCount} for one {@code inputText}; Cohere's {@code embeddings} (a list, or by type under
 * {@code float} when {@code embedding_types} is asked) for {@code texts}, with the token count in
 * {@code X-Amzn-Bedrock-Input-Token-Count}. Vectors are deterministic: value 0 is {@link #seed(String)} of the text,
 * so a test can tell whose vector is where; Titan counts one token per character, Cohere two per text.
 */
public final class FakeEmbeddings {
    private FakeEmbeddings() {
    }

    /** The first value of {@code text}'s vector. */
    public static float seed(String text) {
        return (Math.floorMod(text.hashCode(), 10_000) + 1) / 10_000f;
    }

    /** The answer to an InvokeModel request for an embedding model (anything else: a validation error). */
    public static Reply answer(Recorded r) {
        String model = String.valueOf(r.modelId()).toLowerCase(Locale.ROOT);
        JsonNode body = r.json();
        if (!"invoke".equals(r.operation())) {
            return Reply.error(400, "ValidationException", "This model does not support Converse.");
        }
        if (model.contains("titan-embed")) {
            String text = body.path("inputText").asText();
            int dims = body.path("dimensions").asInt(body.path("embeddingConfig").path("outputEmbeddingLength")
                    .asInt(model.contains("v1") ? 1536 : 1024));
            return Reply.json(200, "{\"embedding\":" + vector(text, dims) + ",\"inputTextTokenCount\":"
                    + text.length() + ",\"embeddingsByType\":{}}");
        }
        if (model.contains("cohere.embed")) {
            int dims = body.path("output_dimension").asInt(model.contains("v4") ? 1536 : 1024);
            List<String> vectors = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            body.path("texts").forEach(t -> {
                vectors.add(vector(t.asText(), dims));
                texts.add(FakeBedrockRuntime.quote(t.asText()));
            });
            String embeddings = "[" + String.join(",", vectors) + "]";
            boolean byType = body.path("embedding_types").isArray();
            return Reply.json(200, "{\"id\":\"emb-1\",\"response_type\":\"" + (byType ? "embeddings_by_type"
                    : "embeddings_floats") + "\",\"embeddings\":" + (byType ? "{\"float\":" + embeddings + "}"
                    : embeddings) + ",\"texts\":[" + String.join(",", texts) + "]}")
                    .withHeader("X-Amzn-Bedrock-Input-Token-Count", String.valueOf(2 * texts.size()));
        }
        return Reply.error(400, "ValidationException", "The provided model identifier is invalid.");
    }

    private static String vector(String text, int dims) {
        StringBuilder b = new StringBuilder(dims * 8).append('[').append(seed(text));
        for (int i = 1; i < dims; i++) {
            b.append(',').append(((i * 31 + text.length()) % 100) / 1000f);
        }
        return b.append(']').toString();
    }
}
