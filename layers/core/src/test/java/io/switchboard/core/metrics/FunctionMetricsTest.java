package io.switchboard.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.catalog.DiscoveryReport;
import io.switchboard.core.config.Settings;
import io.switchboard.shared.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The discovery, models and admin-route functions' EMF documents. */
class FunctionMetricsTest {
    private PrintStream originalOut;
    private ByteArrayOutputStream captured;
    private final Instant now = Instant.now().minusSeconds(60);

    @BeforeEach
    void capture() {
        originalOut = System.out;
        captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
    }

    private List<JsonNode> documents() throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        for (String line : captured.toString(StandardCharsets.UTF_8).split("\\R")) {
            if (line.startsWith("{") && line.contains("\"_aws\"")) {
                docs.add(Json.MAPPER.readTree(line));
            }
        }
        return docs;
    }

    private FunctionMetrics metrics(String mode) {
        Settings s = Settings.from(Map.of("SWITCHBOARD_METRICS", mode, "AWS_LAMBDA_FUNCTION_NAME", "fn"));
        InstantSource clock = () -> now;
        return FunctionMetrics.create(s, Map.of(), clock, () -> 0L);
    }

    @Test
    void documents_ofEachFunction_stampedAtTheirFlush() throws Exception {
        FunctionMetrics m = metrics("emf");
        m.invoked();
        m.invoked();
        m.discovered(new DiscoveryReport(3, 2, List.of(), List.of(), List.of(), Map.of("groq", "timeout"),
                Map.of("mock", 2), 4, true, 2_500_000));
        m.discoveryFailed(1_000_000, new IllegalStateException());
        m.modelsRequest(200, 1_500_000);
        m.adminInvalidation(502);
        List<JsonNode> docs = documents();
        assertEquals(1, docs.stream().filter(d -> d.has("ColdStart")).count(), "one cold start: " + captured);
        JsonNode run = docs.stream().filter(d -> d.has("DiscoveryRuns") && d.path("DiscoveryFailures").asInt() == 0)
                .findFirst().orElseThrow();
        assertEquals(1, run.path("DiscoveryProviderFailures").asInt());
        assertEquals(2.5, run.path("DiscoveryDuration").asDouble());
        assertEquals("groq", run.path("failedProviders").asText());
        assertTrue(docs.stream().anyMatch(d -> d.path("DiscoveryFailures").asInt() == 1));
        assertTrue(docs.stream().anyMatch(d -> d.path("ModelsRequests").asInt() == 1
                && d.path("ModelsLatency").asDouble() == 1.5));
        assertTrue(docs.stream().anyMatch(d -> d.path("AdminInvalidationErrors").asInt() == 1));
        assertTrue(docs.stream().anyMatch(d -> d.has("JvmThreads") && d.path("FunctionName").asText().equals("fn")));
        for (JsonNode d : docs) {
            assertEquals(now.toEpochMilli(), d.at("/_aws/Timestamp").asLong(), d::toString);
        }
    }

    @Test
    void metricsOff_writesNothing() throws Exception {
        FunctionMetrics m = metrics("off");
        m.invoked();
        m.modelsRequest(200, 1);
        m.built("x", 1);
        assertTrue(documents().isEmpty(), captured::toString);
    }
}
