package io.switchboard.shared.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@code chat.completion} object.
 *
 * @param id completion id
 * @param created Unix seconds
 * @param model the model that answered, as the provider named it
 * @param choices the choices, at least one
 * @param usage token usage
 * @param systemFingerprint as the provider sent it, or null
 * @param extensions every other top-level field the provider sent
 */
public record ChatResponse(String id, long created, String model, List<ChatChoice> choices, Usage usage,
        String systemFingerprint, Map<String, JsonNode> extensions) {

    /** The {@code object} value of every completion. */
    public static final String OBJECT = "chat.completion";

    public ChatResponse {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        choices = List.copyOf(choices);
        usage = usage == null ? Usage.NONE : usage;
        extensions = extensions == null || extensions.isEmpty() ? Map.of() : Map.copyOf(extensions);
    }
}
