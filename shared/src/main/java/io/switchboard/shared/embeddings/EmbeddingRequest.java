package io.switchboard.shared.embeddings;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Objects;

/**
 * A validated {@code POST /v1/embeddings} request. Optional fields are {@code null} when absent; fields the gateway does
 * not interpret are in {@code extensions} and reach OpenAI-compatible providers unchanged.
 *
 * @param model the model name as the caller sent it (an alias or {@code provider/model-id})
 * @param input what to embed
 * @param encodingFormat {@code encoding_format} as sent, or null (the answer is then {@link EncodingFormat#FLOAT})
 * @param dimensions {@code dimensions} (at least 1), or null
 * @param user end-user id, or null
 * @param extensions every other top-level field
 */
public record EmbeddingRequest(String model, EmbeddingInput input, EncodingFormat encodingFormat, Integer dimensions,
        String user, Map<String, JsonNode> extensions) {

    public EmbeddingRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(input, "input");
        if (dimensions != null && dimensions < 1) {
            throw new IllegalArgumentException("dimensions must be at least 1");
        }
        extensions = extensions == null || extensions.isEmpty() ? Map.of() : Map.copyOf(extensions);
    }

    /** A minimal request: a model and its input. */
    public static EmbeddingRequest of(String model, EmbeddingInput input) {
        return new EmbeddingRequest(model, input, null, null, null, Map.of());
    }

    /** The format the answer is written in. */
    public EncodingFormat format() {
        return encodingFormat == null ? EncodingFormat.FLOAT : encodingFormat;
    }
}
