package io.switchboard.shared.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatChoice;
import io.switchboard.shared.chat.ChatMessage;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.chat.Role;
import io.switchboard.shared.chat.Usage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads a provider's {@code chat.completion} object. Anything that is not that shape is
 * {@link ErrorKind#UPSTREAM_INVALID_RESPONSE}; fields the gateway does not interpret are kept.
 */
public final class ChatResponseReader {

    private ChatResponseReader() {
    }

    /** Parses a completion body. */
    public static ChatResponse read(byte[] body) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw invalid("is not valid JSON").withCause(e);
        }
        return read(root);
    }

    /** Reads a parsed completion. */
    public static ChatResponse read(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw invalid("is not a JSON object");
        }
        JsonNode choicesNode = root.get("choices");
        if (choicesNode == null || !choicesNode.isArray()) {
            throw invalid("has no 'choices' array");
        }
        List<ChatChoice> choices = new ArrayList<>(choicesNode.size());
        for (JsonNode c : choicesNode) {
            JsonNode m = c.get("message");
            if (m == null || !m.isObject()) {
                throw invalid("has a choice without a 'message'");
            }
            choices.add(new ChatChoice(c.path("index").asInt(choices.size()), message(m),
                    textOrNull(c.get("finish_reason")), nullIfJsonNull(c.get("logprobs"))));
        }
        Map<String, JsonNode> extensions = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            switch (e.getKey()) {
                case "id", "object", "created", "model", "choices", "usage", "system_fingerprint" -> { }
                default -> extensions.put(e.getKey(), e.getValue());
            }
        }
        String id = textOrNull(root.get("id"));
        String model = textOrNull(root.get("model"));
        return new ChatResponse(id == null ? "chatcmpl-unknown" : id, root.path("created").asLong(0),
                model == null ? "unknown" : model, choices, usage(root.get("usage")),
                textOrNull(root.get("system_fingerprint")), extensions);
    }

    /** Reads OpenAI's {@code usage} object; {@link Usage#NONE} when absent. */
    public static Usage usage(JsonNode u) {
        if (u == null || !u.isObject()) {
            return Usage.NONE;
        }
        Map<String, JsonNode> extensions = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = u.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            switch (e.getKey()) {
                case "prompt_tokens", "completion_tokens", "total_tokens" -> { }
                default -> extensions.put(e.getKey(), e.getValue());
            }
        }
        int in = Math.max(0, u.path("prompt_tokens").asInt(0));
        int out = Math.max(0, u.path("completion_tokens").asInt(0));
        int total = Math.max(0, u.path("total_tokens").asInt(in + out));
        return new Usage(in, out, total, extensions);
    }

    private static ChatMessage message(JsonNode m) {
        Role role = Role.fromWire(m.path("role").asText("assistant"));
        Map<String, JsonNode> extensions = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            switch (e.getKey()) {
                case "role", "content", "name", "tool_call_id", "tool_calls" -> { }
                default -> extensions.put(e.getKey(), e.getValue());
            }
        }
        JsonNode content = m.get("content");
        return new ChatMessage(role == null ? Role.ASSISTANT : role, content, textOrNull(m.get("name")),
                textOrNull(m.get("tool_call_id")), nullIfJsonNull(m.get("tool_calls")), extensions);
    }

    private static String textOrNull(JsonNode n) {
        return n != null && n.isTextual() ? n.textValue() : null;
    }

    private static JsonNode nullIfJsonNull(JsonNode n) {
        return n == null || n.isNull() ? null : n;
    }

    private static GatewayException invalid(String what) {
        return GatewayException.of(ErrorKind.UPSTREAM_INVALID_RESPONSE,
                "The provider's response " + what + ".");
    }
}
