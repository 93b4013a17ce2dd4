package io.switchboard.core.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatChoice;
import io.switchboard.shared.chat.ChatMessage;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.chat.Role;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A Messages API {@code message} as a {@code chat.completion}: its {@code text} blocks joined into the content, its
 * {@code tool_use} blocks as {@code tool_calls} (the input object as a JSON string of arguments), its stop reason as
 * a finish reason, its usage as OpenAI's. Other blocks ({@code thinking}, server tools) are left out. Anything that
 * is not a message is {@link ErrorKind#UPSTREAM_INVALID_RESPONSE}.
 */
final class AnthropicResponses {
    private AnthropicResponses() {
    }

    /** Reads a message body; {@code created} is the answer's time (Anthropic sends none). */
    static ChatResponse read(byte[] body, long created) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw invalid("is not valid JSON"); // no cause: the parser's message quotes the body
        }
        if (root == null || !root.isObject() || !"message".equals(root.path("type").asText())) {
            throw invalid("is not a message");
        }
        JsonNode content = root.get("content");
        if (content == null || !content.isArray()) {
            throw invalid("has no 'content' array");
        }
        StringBuilder text = new StringBuilder();
        boolean hasText = false;
        ArrayNode calls = null;
        for (JsonNode block : content) {
            switch (block.path("type").asText("")) {
                case "text" -> {
                    text.append(block.path("text").asText(""));
                    hasText = true;
                }
                case "tool_use" -> {
                    if (calls == null) {
                        calls = JsonNodeFactory.instance.arrayNode();
                    }
                    calls.add(toolCall(block));
                }
                default -> { } // thinking, redacted_thinking, server tool blocks: not part of the OpenAI answer
            }
        }
        JsonNode messageContent = hasText || calls == null ? TextNode.valueOf(text.toString()) : null;
        ChatMessage message = new ChatMessage(Role.ASSISTANT, messageContent, null, null, calls, Map.of());
        String id = root.path("id").asText("");
        String model = root.path("model").asText("");
        return new ChatResponse(id.isEmpty() ? "msg-unknown" : id, created, model.isEmpty() ? "unknown" : model,
                List.of(new ChatChoice(0, message, finishReason(root.path("stop_reason").asText(null)), null)),
                AnthropicUsage.NONE.merge(root.get("usage")).toUsage(), null, Map.of());
    }

    /** A {@code tool_use} block as an OpenAI tool call. */
    private static ObjectNode toolCall(JsonNode block) {
        JsonNode input = block.get("input");
        ObjectNode call = JsonNodeFactory.instance.objectNode();
        call.put("id", block.path("id").asText(""));
        call.put("type", "function");
        call.putObject("function")
                .put("name", block.path("name").asText(""))
                .put("arguments", input == null || input.isNull() ? "{}" : input.toString());
        return call;
    }

    /**
     * OpenAI's finish reason for a stop reason: {@code end_turn}, {@code stop_sequence} and {@code pause_turn} are
     * {@code stop}, {@code max_tokens} and {@code model_context_window_exceeded} are {@code length},
     * {@code tool_use} is {@code tool_calls}, {@code refusal} is {@code content_filter}; null for none or one not
     * known (never invented).
     */
    static String finishReason(String stopReason) {
        if (stopReason == null) {
            return null;
        }
        return switch (stopReason) {
            case "end_turn", "stop_sequence", "pause_turn" -> "stop";
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            default -> null;
        };
    }

    private static GatewayException invalid(String what) {
        return GatewayException.of(ErrorKind.UPSTREAM_INVALID_RESPONSE, "The provider's response " + what + ".");
    }
}
