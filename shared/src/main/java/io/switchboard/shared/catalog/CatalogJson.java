package io.switchboard.shared.catalog;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Writers for OpenAI's model list and model object, and the codec of {@link ModelCatalogChanged}. */
public final class CatalogJson {
    private CatalogJson() {
    }

    /** OpenAI's {@code ListModelsResponse}: {@code {"object":"list","data":[model...]}}. */
    public static byte[] writeList(List<ModelInfo> models) {
        return Json.write(64 + models.size() * 96, g -> {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            for (ModelInfo m : models) {
                model(g, m);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** OpenAI's {@code Model}. */
    public static byte[] writeModel(ModelInfo model) {
        return Json.write(128, g -> model(g, model));
    }

    private static void model(JsonGenerator g, ModelInfo m) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", m.id());
        g.writeStringField("object", "model");
        g.writeNumberField("created", m.created());
        g.writeStringField("owned_by", m.ownedBy());
        g.writeEndObject();
    }

    /** The event's {@code detail} JSON. */
    public static byte[] writeChanged(ModelCatalogChanged e) {
        return Json.write(256, g -> {
            g.writeStartObject();
            g.writeNumberField("generation", e.generation());
            g.writeNumberField("previousGeneration", e.previousGeneration());
            refs(g, "added", e.added());
            refs(g, "removed", e.removed());
            refs(g, "changed", e.changed());
            g.writeArrayFieldStart("failedProviders");
            for (String p : e.failedProviders()) {
                g.writeString(p);
            }
            g.writeEndArray();
            g.writeStringField("occurredAt", e.occurredAt().toString());
            g.writeBooleanField("truncated", e.truncated());
            g.writeEndObject();
        });
    }

    private static void refs(JsonGenerator g, String field, List<ModelRef> refs) throws IOException {
        g.writeArrayFieldStart(field);
        for (ModelRef r : refs) {
            g.writeStartObject();
            g.writeStringField("name", r.name());
            g.writeStringField("kind", r.kind().name().toLowerCase(Locale.ROOT));
            g.writeStringField("provider", r.provider());
            g.writeStringField("providerModel", r.providerModel());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** Reads an event's {@code detail} JSON; anything that is not one is an {@link IllegalArgumentException}. */
    public static ModelCatalogChanged readChanged(byte[] json) {
        try {
            JsonNode n = Json.MAPPER.readTree(json);
            List<String> failed = new ArrayList<>();
            n.path("failedProviders").forEach(p -> failed.add(p.asText()));
            return new ModelCatalogChanged(n.path("generation").asLong(), n.path("previousGeneration").asLong(),
                    readRefs(n.path("added")), readRefs(n.path("removed")), readRefs(n.path("changed")), failed,
                    Instant.parse(n.path("occurredAt").asText()), n.path("truncated").asBoolean(false));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a ModelCatalogChanged detail", e);
        }
    }

    private static List<ModelRef> readRefs(JsonNode array) {
        List<ModelRef> out = new ArrayList<>();
        for (JsonNode r : array) {
            out.add(new ModelRef(r.path("name").asText(),
                    ModelRef.Kind.valueOf(r.path("kind").asText().toUpperCase(Locale.ROOT)),
                    r.path("provider").asText(), r.path("providerModel").asText()));
        }
        return out;
    }
}
