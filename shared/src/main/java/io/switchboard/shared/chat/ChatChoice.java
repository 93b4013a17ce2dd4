package io.switchboard.shared.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One choice of a completion.
 *
 * @param index position among the choices
 * @param message the assistant's message
 * @param finishReason {@code stop}, {@code length}, {@code tool_calls}, {@code content_filter}, or null
 * @param logprobs as the provider sent them, or null
 */
public record ChatChoice(int index, ChatMessage message, String finishReason, JsonNode logprobs) {
    public ChatChoice {
        Objects.requireNonNull(message, "message");
    }
}
