package io.switchboard.shared.cache;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads and writes {@link CacheInvalidationRequested}. Reading is strict (unknown fields, wrong types and invalid
 * values are errors naming the field) because the same reader validates the admin route's request body.
 */
public final class InvalidationJson {
    private static final Set<String> FIELDS = Set.of("tenant", "keys", "tags", "namespace", "model", "all", "reason",
            "requestedBy", "requestedAt");

    private InvalidationJson() {
    }

    /** The detail JSON. */
    public static byte[] write(CacheInvalidationRequested e) {
        try (ByteArrayBuilder out = new ByteArrayBuilder(256);
             JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            if (e.tenant() != null) {
                g.writeStringField("tenant", e.tenant());
            }
            strings(g, "keys", e.keys());
            strings(g, "tags", e.tags());
            if (e.namespace() != null) {
                g.writeStringField("namespace", e.namespace());
            }
            if (e.model() != null) {
                g.writeStringField("model", e.model());
            }
            g.writeBooleanField("all", e.all());
            g.writeStringField("reason", e.reason());
            if (e.requestedBy() != null) {
                g.writeStringField("requestedBy", e.requestedBy());
            }
            if (e.requestedAt() != null) {
                g.writeStringField("requestedAt", e.requestedAt().toString());
            }
            g.writeEndObject();
            g.flush();
            return out.toByteArray();
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    private static void strings(JsonGenerator g, String field, List<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    /**
     * Reads a detail (or an admin request body). Throws a {@link GatewayException} of kind invalid request naming the
     * field: {@code invalid_json} for malformed JSON, {@code invalid_value} otherwise.
     */
    public static CacheInvalidationRequested read(byte[] json) {
        JsonNode n;
        if (json == null || io.switchboard.shared.json.Utf8.firstInvalid(json) >= 0) {
            throw GatewayException.of(ErrorKind.INVALID_JSON, "The body is not valid UTF-8 JSON.");
        }
        try {
            n = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            // also what Jackson's encoding detection throws for NUL-heavy bytes it takes for UTF-32 (a fuzz crasher)
            throw GatewayException.of(ErrorKind.INVALID_JSON, "The body is not valid JSON.");
        }
        return read(n);
    }

    /** Reads a detail already parsed. */
    public static CacheInvalidationRequested read(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw invalid(null, "The body must be a JSON object.");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw invalid(f, "Unknown field '" + f + "'.");
            }
        }
        JsonNode all = n.get("all");
        if (all != null && !all.isBoolean() && !all.isNull()) {
            throw invalid("all", "'all' must be a boolean.");
        }
        Instant at = null;
        String requestedAt = text(n, "requestedAt");
        if (requestedAt != null) {
            try {
                at = Instant.parse(requestedAt);
            } catch (DateTimeParseException e) {
                throw invalid("requestedAt", "'requestedAt' must be an ISO-8601 instant.");
            }
        }
        try {
            return new CacheInvalidationRequested(text(n, "tenant"), list(n, "keys"), list(n, "tags"),
                    text(n, "namespace"), text(n, "model"), all != null && all.asBoolean(), text(n, "reason"),
                    text(n, "requestedBy"), at);
        } catch (IllegalArgumentException e) {
            String field = CacheInvalidationRequested.fieldOf(e);
            throw invalid(field, "'" + field + "' " + e.getMessage().substring(field.length()).strip() + ".");
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw invalid(field, "'" + field + "' must be a string.");
        }
        return v.asText();
    }

    private static List<String> list(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw invalid(field, "'" + field + "' must be an array of strings.");
        }
        List<String> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) {
                throw invalid(field + "[" + i + "]", "'" + field + "[" + i + "]' must be a string.");
            }
            out.add(v.get(i).asText());
        }
        return out;
    }

    private static GatewayException invalid(String field, String message) {
        return GatewayException.invalid(field, message);
    }
}
