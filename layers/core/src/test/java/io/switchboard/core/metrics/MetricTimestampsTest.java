package io.switchboard.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.Gateway;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.config.Settings;
import io.switchboard.core.http.GatewayRequest;
import io.switchboard.shared.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each EMF document carries the time of its own flush: through a SnapStart cycle (init and priming days before the
 * restore) on an injected clock, each request's document shows that request's time, not the snapshot's nor the
 * previous request's.
 */
class MetricTimestampsTest {
    private static final String KEY = "sk-timestamps";
    private PrintStream originalOut;
    private ByteArrayOutputStream captured;

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
        System.out.flush();
        List<JsonNode> docs = new ArrayList<>();
        for (String line : captured.toString(StandardCharsets.UTF_8).split("\\R")) {
            String l = line.strip();
            if (l.startsWith("{") && l.contains("\"_aws\"")) {
                docs.add(Json.MAPPER.readTree(l));
            }
        }
        return docs;
    }

    private static Instant stamp(JsonNode doc) {
        return Instant.ofEpochMilli(doc.at("/_aws/Timestamp").asLong());
    }

    private static boolean declares(JsonNode doc, String metric) {
        for (JsonNode m : doc.at("/_aws/CloudWatchMetrics/0/Metrics")) {
            if (m.path("Name").asText().equals(metric)) {
                return true;
            }
        }
        return false;
    }

    private static GatewayRequest chat(String id) {
        return new GatewayRequest("POST", Gateway.CHAT_COMPLETIONS, Map.of("content-type", "application/json",
                "authorization", "Bearer " + KEY),
                "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                        .getBytes(StandardCharsets.UTF_8), id, 30_000);
    }

    @Test
    void checkpointRestore_eachRequestStampedWithItsOwnTime() throws Exception {
        // EMF refuses timestamps more than 14 days old or 2 hours ahead: the times stay within that, relative to now
        Instant snapshot = Instant.now().minus(Duration.ofDays(3)).truncatedTo(ChronoUnit.MILLIS);
        Instant restored = Instant.now().minus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.MILLIS);
        AtomicReference<Instant> now = new AtomicReference<>(snapshot);
        InstantSource clock = now::get;
        Settings settings = Settings.from(Map.of("POWERTOOLS_METRICS_NAMESPACE", "SwitchboardTest",
                "SWITCHBOARD_API_KEYS", "t:" + Authenticator.sha256Hex(KEY), "SWITCHBOARD_CACHE", "off",
                "SWITCHBOARD_METRICS_FLUSH_MS", "0")); // one document per request (batched stamps: PowertoolsMetricsTest)
        try (Gateway gateway = Gateway.builder(settings).clock(clock).processEnv(Map.of()).build()) {
            gateway.hooks().beforeCheckpoint(); // priming writes its LazyInit document now, at snapshot time
            now.set(restored);
            gateway.hooks().afterRestore();

            assertEquals(200, gateway.handle(chat("r1")).status());
            now.set(restored.plusSeconds(2));
            assertEquals(200, gateway.handle(chat("r2")).status());
            now.set(restored.plusSeconds(7));
            assertEquals(200, gateway.handle(chat("r3")).status());
        }
        List<JsonNode> docs = documents();
        List<Instant> requests = docs.stream().filter(d -> declares(d, MetricNames.REQUESTS))
                .map(MetricTimestampsTest::stamp).toList();
        assertEquals(List.of(restored, restored.plusSeconds(2), restored.plusSeconds(7)), requests,
                () -> "request documents:\n" + captured);
        JsonNode cold = docs.stream().filter(d -> declares(d, MetricNames.COLD_START)).findFirst().orElseThrow();
        assertEquals(restored, stamp(cold), "the restored environment's cold start is stamped at its first request");
        JsonNode priming = docs.stream().filter(d -> declares(d, MetricNames.LAZY_INIT)
                && d.path("Component").asText().equals("snapstart-priming")).findFirst().orElseThrow();
        assertEquals(snapshot, stamp(priming), "priming happened at snapshot time and says so");
        assertTrue(docs.stream().filter(d -> declares(d, MetricNames.JVM_THREADS)).count() >= 1,
                "JVM figures are written with the first request");
    }
}
