package io.switchboard.shared.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code CacheInvalidationRequested}: round trip, validation naming the field, the samples against the schema. */
class InvalidationJsonTest {
    private static final List<String> SAMPLES = List.of("cache-invalidate-tag.json", "cache-invalidate-keys.json",
            "cache-invalidate-namespace.json", "cache-invalidate-model.json", "cache-invalidate-tenant.json",
            "cache-invalidate-all.json");

    @Test
    void write_read_roundTrip() {
        CacheInvalidationRequested e = new CacheInvalidationRequested("team-a", List.of("default:" + "a".repeat(64)),
                List.of("prompt:v3"), "ns", null, false, "why", "ops", Instant.parse("2026-01-01T00:00:00Z"));
        assertEquals(e, InvalidationJson.read(InvalidationJson.write(e)));
    }

    @Test
    void read_invalid_namesTheField() {
        try {
            InvalidationJson.read("{\"namespace\":\"x\",\"reason\":\"r\"}".getBytes());
            throw new AssertionError("expected a failure");
        } catch (GatewayException e) {
            assertEquals("tenant", e.param());
            assertEquals(400, e.status());
        }
    }

    @Test
    void samples_conformToTheSchemaAndParse() throws IOException {
        JsonNode schema = Json.MAPPER.readTree(InvalidationJsonTest.class.getResourceAsStream(
                "/schemas/cache-invalidation-requested.schema.json"));
        Set<String> allowed = Set.copyOf(iterable(schema.path("properties").fieldNames()));
        for (String s : SAMPLES) {
            JsonNode envelope = Json.MAPPER.readTree(Files.readAllBytes(Path.of("..", "events", s)));
            assertEquals(CacheInvalidationRequested.DETAIL_TYPE, envelope.path("detail-type").asText());
            JsonNode detail = envelope.path("detail");
            for (String f : iterable(detail.fieldNames())) {
                assertTrue(allowed.contains(f), s + ": " + f + " is in the schema");
            }
            assertTrue(detail.has("reason"), s);
            CacheInvalidationRequested e = InvalidationJson.read(detail);
            assertEquals(e, InvalidationJson.read(InvalidationJson.write(e)), s);
        }
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
