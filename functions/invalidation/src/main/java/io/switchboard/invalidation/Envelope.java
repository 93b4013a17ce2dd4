package io.switchboard.invalidation;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.util.UUID;

/**
 * The parts of an EventBridge event the handler needs.
 *
 * @param id the event's id (a fresh one for an event without, e.g. a hand-made {@code aws lambda invoke})
 * @param detailType its {@code detail-type}
 * @param detail its {@code detail}
 */
record Envelope(String id, String detailType, JsonNode detail) {
    static Envelope read(byte[] json) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("the event is not JSON", e);
        }
        if (n == null || !n.isObject() || !n.path("detail").isObject()) {
            throw new IllegalArgumentException("not an EventBridge event with an object detail");
        }
        String id = n.path("id").asText("");
        return new Envelope(id.isBlank() ? UUID.randomUUID().toString() : id, n.path("detail-type").asText(""),
                n.get("detail"));
    }
}
