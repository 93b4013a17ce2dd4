package io.switchboard.shared.embeddings;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An embeddings answer, OpenAI's {@code list} object.
 *
 * @param model the model that answered, as the provider named it
 * @param data the embeddings, ordered by index
 * @param promptTokens tokens in
 * @param totalTokens tokens billed in all, as the provider reported them
 * @param extensions every other top-level field the provider sent
 */
public record EmbeddingResponse(String model, List<Embedding> data, int promptTokens, int totalTokens,
        Map<String, JsonNode> extensions) {

    /** The {@code object} value of the answer. */
    public static final String OBJECT = "list";

    public EmbeddingResponse {
        Objects.requireNonNull(model, "model");
        List<Embedding> sorted = new ArrayList<>(data);
        sorted.sort(Comparator.comparingInt(Embedding::index));
        data = List.copyOf(sorted);
        if (promptTokens < 0 || totalTokens < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
        extensions = extensions == null || extensions.isEmpty() ? Map.of() : Map.copyOf(extensions);
    }

    /** Whether there is exactly one embedding per index {@code 0 .. inputs - 1}. */
    public boolean answers(int inputs) {
        if (data.size() != inputs) {
            return false;
        }
        for (int i = 0; i < inputs; i++) {
            if (data.get(i).index() != i) {
                return false;
            }
        }
        return true;
    }
}
