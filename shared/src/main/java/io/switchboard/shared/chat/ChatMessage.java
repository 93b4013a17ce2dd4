package io.switchboard.shared.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Map;
import java.util.Objects;

/**
 * One chat message. {@code content} is kept as JSON because OpenAI allows a string, an array of content parts or null.
 *
 * @param role the author
 * @param content a string node, an array of content parts, or {@code null}
 * @param name optional participant name
 * @param toolCallId for {@code tool} messages, the call answered
 * @param toolCalls for {@code assistant} messages, the tool calls made (JSON array) or {@code null}
 * @param extensions every other field, passed on untouched
 */
public record ChatMessage(Role role, JsonNode content, String name, String toolCallId, JsonNode toolCalls,
        Map<String, JsonNode> extensions) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        extensions = extensions == null || extensions.isEmpty() ? Map.of() : Map.copyOf(extensions);
    }

    /** A plain text message. */
    public static ChatMessage of(Role role, String text) {
        return new ChatMessage(role, TextNode.valueOf(text), null, null, null, Map.of());
    }

    /**
     * The message's text: the string content, or the {@code text} of its text parts joined by newlines; empty when
     * there is none.
     */
    public String text() {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : content) {
            JsonNode text = part.get("text");
            if (text != null && text.isTextual()) {
                if (!sb.isEmpty()) {
                    sb.append('\n');
                }
                sb.append(text.textValue());
            }
        }
        return sb.toString();
    }
}
