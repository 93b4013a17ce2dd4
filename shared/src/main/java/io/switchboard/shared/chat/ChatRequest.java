package io.switchboard.shared.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A validated {@code POST /v1/chat/completions} request. Optional fields are {@code null} when absent; fields the
 * gateway does not interpret are in {@code extensions} and reach OpenAI-compatible providers unchanged.
 *
 * @param model the model name as the caller sent it (an alias or {@code provider/model-id})
 * @param messages the conversation, never empty
 * @param temperature 0..2, or null
 * @param topP 0..1, or null
 * @param maxTokens legacy {@code max_tokens}, or null
 * @param maxCompletionTokens {@code max_completion_tokens}, or null
 * @param stop up to 4 stop sequences (empty when absent)
 * @param n number of choices, or null (1)
 * @param seed sampling seed, or null
 * @param responseFormat {@code response_format} as sent, or null
 * @param tools {@code tools} as sent, or null
 * @param toolChoice {@code tool_choice} as sent, or null
 * @param user end-user id, or null
 * @param stream whether the caller asked for server-sent events
 * @param streamOptions {@code stream_options} as sent, or null
 * @param extensions every other top-level field
 */
public record ChatRequest(String model, List<ChatMessage> messages, Double temperature, Double topP,
        Integer maxTokens, Integer maxCompletionTokens, List<String> stop, Integer n, Long seed,
        JsonNode responseFormat, JsonNode tools, JsonNode toolChoice, String user, boolean stream,
        JsonNode streamOptions, Map<String, JsonNode> extensions) {

    public ChatRequest {
        Objects.requireNonNull(model, "model");
        messages = List.copyOf(messages);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("messages must not be empty");
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
        extensions = extensions == null || extensions.isEmpty() ? Map.of() : Map.copyOf(extensions);
    }

    /** A minimal request: a model and its messages. */
    public static ChatRequest of(String model, List<ChatMessage> messages) {
        return new ChatRequest(model, messages, null, null, null, null, List.of(), null, null, null, null, null, null,
                false, null, Map.of());
    }

    /** The token cap the caller set ({@code max_completion_tokens} wins over {@code max_tokens}), or null. */
    public Integer tokenLimit() {
        return maxCompletionTokens != null ? maxCompletionTokens : maxTokens;
    }

    /** The number of choices asked for. */
    public int choices() {
        return n == null ? 1 : n;
    }

    /** This request for another model name (the provider's own id). */
    public ChatRequest withModel(String newModel) {
        return new ChatRequest(newModel, messages, temperature, topP, maxTokens, maxCompletionTokens, stop, n, seed,
                responseFormat, tools, toolChoice, user, stream, streamOptions, extensions);
    }

    /** This request with a default token cap applied when the caller set none. */
    public ChatRequest withDefaultMaxTokens(int defaultMaxTokens) {
        if (tokenLimit() != null) {
            return this;
        }
        return new ChatRequest(model, messages, temperature, topP, defaultMaxTokens, maxCompletionTokens, stop, n,
                seed, responseFormat, tools, toolChoice, user, stream, streamOptions, extensions);
    }
}
