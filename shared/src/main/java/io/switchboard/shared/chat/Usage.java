package io.switchboard.shared.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * Token usage of one completion.
 *
 * @param promptTokens tokens in
 * @param completionTokens tokens out
 * @param totalTokens their sum as the provider reported it
 * @param extensions details such as {@code prompt_tokens_details}, passed on untouched
 */
public record Usage(int promptTokens, int completionTokens, int totalTokens, Map<String, JsonNode> extensions) {

    /** No usage known. */
    public static final Usage NONE = new Usage(0, 0, 0, Map.of());

    public Usage {
        if (promptTokens < 0 || completionTokens < 0 || totalTokens < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
        extensions = extensions == null || extensions.isEmpty() ? Map.of() : Map.copyOf(extensions);
    }

    /** Usage from two counts. */
    public static Usage of(int promptTokens, int completionTokens) {
        return new Usage(promptTokens, completionTokens, promptTokens + completionTokens, Map.of());
    }
}
