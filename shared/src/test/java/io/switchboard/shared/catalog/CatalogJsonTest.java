package io.switchboard.shared.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The model list, the model object and {@code ModelCatalogChanged}: shapes, round trip, schema and sample. */
class CatalogJsonTest {
    private static final Path SAMPLE = Path.of("..", "events", "model-catalog-changed.json");

    private static JsonNode schema() throws IOException {
        return Json.MAPPER.readTree(CatalogJsonTest.class.getResourceAsStream(
                "/schemas/model-catalog-changed.schema.json"));
    }

    @Test
    void writeList_openAiListShape() throws IOException {
        JsonNode n = Json.MAPPER.readTree(CatalogJson.writeList(List.of(new ModelInfo("fast", 0, "mock"),
                new ModelInfo("openai/gpt-4o", 1715367049, "system"))));
        assertEquals("list", n.path("object").asText());
        assertEquals(2, n.path("data").size());
        JsonNode m = n.path("data").get(1);
        assertEquals("openai/gpt-4o", m.path("id").asText());
        assertEquals("model", m.path("object").asText());
        assertEquals(1715367049L, m.path("created").asLong());
        assertEquals("system", m.path("owned_by").asText());
    }

    @Test
    void changed_roundTrip() {
        ModelCatalogChanged e = new ModelCatalogChanged(2, 1,
                List.of(new ModelRef("gpt-4.1", ModelRef.Kind.ALIAS, "openai", "gpt-4.1")), List.of(), List.of(),
                List.of("bedrock"), Instant.parse("2026-01-01T00:00:00Z"), false);
        assertEquals(e, CatalogJson.readChanged(CatalogJson.writeChanged(e)));
    }

    @Test
    void changed_generationMustIncrease() {
        assertThrows(IllegalArgumentException.class, () -> new ModelCatalogChanged(1, 1, List.of(), List.of(),
                List.of(), List.of(), Instant.EPOCH, false));
    }

    @Test
    void sampleEvent_conformsToSchemaAndParses() throws IOException {
        JsonNode envelope = Json.MAPPER.readTree(Files.readAllBytes(SAMPLE));
        assertEquals(ModelCatalogChanged.SOURCE, envelope.path("source").asText());
        assertEquals(ModelCatalogChanged.DETAIL_TYPE, envelope.path("detail-type").asText());
        JsonNode detail = envelope.path("detail");
        JsonNode schema = schema();
        conforms(detail, schema, schema, "detail");
        ModelCatalogChanged e = CatalogJson.readChanged(Json.MAPPER.writeValueAsBytes(detail));
        assertEquals(8, e.generation());
    }

    @Test
    void writtenEvent_conformsToSchema() throws IOException {
        ModelCatalogChanged e = new ModelCatalogChanged(3, 2, List.of(), List.of(new ModelRef("openai/gpt-4-turbo",
                ModelRef.Kind.MODEL, "openai", "gpt-4-turbo")), List.of(), List.of(), Instant.EPOCH, true);
        JsonNode schema = schema();
        conforms(Json.MAPPER.readTree(CatalogJson.writeChanged(e)), schema, schema, "detail");
    }

    /** The subset of JSON Schema the event's schema uses. */
    private static void conforms(JsonNode v, JsonNode s, JsonNode root, String where) {
        if (s.has("$ref")) {
            String ref = s.get("$ref").asText();
            conforms(v, root.path("$defs").path(ref.substring(ref.lastIndexOf('/') + 1)), root, where);
            return;
        }
        s.path("required").forEach(r -> assertTrue(v.has(r.asText()), where + " lacks " + r.asText()));
        if (s.path("additionalProperties").isBoolean() && !s.path("additionalProperties").asBoolean()) {
            v.fieldNames().forEachRemaining(f -> assertTrue(s.path("properties").has(f), where + " has extra " + f));
        }
        if (s.has("enum")) {
            boolean any = false;
            for (JsonNode a : s.path("enum")) {
                any |= a.equals(v);
            }
            assertTrue(any, where + " not in enum");
        }
        switch (s.path("type").asText("")) {
            case "object" -> assertTrue(v.isObject(), where);
            case "array" -> {
                assertTrue(v.isArray(), where);
                for (JsonNode item : v) {
                    conforms(item, s.path("items"), root, where + "[]");
                }
            }
            case "string" -> assertTrue(v.isTextual() && v.asText().length() >= s.path("minLength").asInt(0), where);
            case "integer" -> assertTrue(v.isIntegralNumber() && v.asLong() >= s.path("minimum").asLong(0), where);
            case "boolean" -> assertTrue(v.isBoolean(), where);
            default -> {
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = s.path("properties").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            if (v.has(p.getKey())) {
                conforms(v.get(p.getKey()), p.getValue(), root, where + "." + p.getKey());
            }
        }
    }
}
