package io.switchboard.core.provider;

import io.switchboard.shared.chat.Usage;

/**
 * How a stream ended.
 *
 * @param usage token usage when known ({@link Usage#NONE} otherwise)
 * @param finishReason the last finish reason seen, or null
 * @param chunks how many chunks were delivered
 */
public record StreamResult(Usage usage, String finishReason, int chunks) {
}
