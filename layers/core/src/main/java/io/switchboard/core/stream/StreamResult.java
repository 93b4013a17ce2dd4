package io.switchboard.core.stream;

import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.chat.Usage;

/**
 * How a provider call ended (only complete answers end here: a stream cut short is an error).
 *
 * @param usage token usage when known ({@link Usage#NONE} otherwise)
 * @param finishReason the last finish reason seen, or null
 * @param chunks how many chunks were delivered (0 for an answer delivered whole)
 */
public record StreamResult(Usage usage, String finishReason, int chunks) {
    public StreamResult {
        usage = usage == null ? Usage.NONE : usage;
    }

    /** The result of a whole answer. */
    public static StreamResult of(ChatResponse response) {
        String finish = response.choices().isEmpty() ? null
                : response.choices().get(response.choices().size() - 1).finishReason();
        return new StreamResult(response.usage(), finish, 0);
    }
}
