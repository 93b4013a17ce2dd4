package io.switchboard.local.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The local dashboard's series, computed from EMF documents as CloudWatch would, on a fake clock. */
class DashboardDataTest {
    private final AtomicLong now = new AtomicLong(1_800_000_000_000L);
    private final InstantSource clock = () -> Instant.ofEpochMilli(now.get());

    private static String doc(long ts, String dims, String metrics, String values) {
        return "{\"_aws\":{\"Timestamp\":" + ts + ",\"CloudWatchMetrics\":[{\"Namespace\":\"Switchboard\",\"Metrics\":["
                + metrics + "],\"Dimensions\":[" + dims + "]}]}," + values + "}";
    }

    private static JsonNode widget(JsonNode data, String title) {
        for (JsonNode w : data.path("widgets")) {
            if (w.path("title").asText().equals(title)) {
                return w;
            }
        }
        throw new AssertionError("no widget " + title);
    }

    private static JsonNode series(JsonNode widget, String label) {
        for (JsonNode s : widget.path("series")) {
            if (s.path("label").asText().equals(label)) {
                return s;
            }
        }
        throw new AssertionError("no series " + label + " in " + widget);
    }

    @Test
    void render_sumsPercentilesGroupsAndExpressions_perPeriod() {
        LocalMetrics m = new LocalMetrics(clock);
        long t = now.get();
        for (int i = 1; i <= 10; i++) {
            m.acceptLine(doc(t, "[\"Service\"]", "{\"Name\":\"Requests\"},{\"Name\":\"Latency\"},{\"Name\":\""
                    + (i <= 3 ? "CacheHitL1" : "CacheMiss") + "\"}", "\"Service\":\"switchboard\",\"Requests\":1,"
                    + "\"Latency\":" + i + ",\"" + (i <= 3 ? "CacheHitL1" : "CacheMiss") + "\":1"));
        }
        m.acceptLine(doc(t, "[\"Service\",\"Provider\"],[\"Service\",\"Provider\",\"Model\"]",
                "{\"Name\":\"UpstreamLatency\"}", "\"Service\":\"switchboard\",\"Provider\":\"openai\","
                        + "\"Model\":\"other\",\"UpstreamLatency\":[40,60]"));
        m.acceptLine("not json at all");
        now.addAndGet(1000);
        JsonNode data = new DashboardData(OpsDefinitions.load(), m, ref -> ref).render();

        JsonNode requests = series(widget(data, "Requests and status classes"), "Requests").path("points");
        assertEquals(1, requests.size(), "one period with data: " + requests);
        assertEquals(10.0, requests.get(0).get(1).asDouble());
        assertEquals(9.0, series(widget(data, "Latency and gateway overhead (ms)"), "latency p90").at("/points/0/1")
                .asDouble(), "nearest-rank p90 of 1..10");
        assertEquals(30.0, series(widget(data, "Cache hit ratio per tier (%)"), "L1 hit %").at("/points/0/1")
                .asDouble(), 1e-9);
        JsonNode upstream = widget(data, "Upstream latency per provider (ms, p90)");
        assertEquals(60.0, series(upstream, "openai").at("/points/0/1").asDouble(),
                "one line per Provider, from the [Service, Provider] set only (not the Model one)");
        assertEquals(1, upstream.path("series").size());
        assertEquals(11, data.path("documents").asLong(), "the line that was not JSON is not a document");
        assertTrue(data.path("alarms").size() >= 6);
    }

    @Test
    void alarm_breachesWhenEnoughPeriodsExceedTheThreshold() {
        LocalMetrics m = new LocalMetrics(clock);
        long period = DashboardData.LOCAL_PERIOD_MILLIS;
        for (int p = 0; p < 5; p++) {
            long ts = now.get() - p * period;
            m.acceptLine(doc(ts, "[\"Service\"]", "{\"Name\":\"Requests\"},{\"Name\":\"Status5xx\"}",
                    "\"Service\":\"switchboard\",\"Requests\":10,\"Status5xx\":" + (p < 3 ? 2 : 0)));
        }
        JsonNode alarms = new DashboardData(OpsDefinitions.load(), m, ref -> ref).render().path("alarms");
        JsonNode errors = null;
        for (JsonNode a : alarms) {
            if (a.path("name").asText().equals("HighErrorRate")) {
                errors = a;
            }
        }
        assertEquals("ALARM", errors.path("state").asText(), "20 % 5xx in 3 of 5 periods: " + errors);
    }

    @Test
    void arithmetic_evaluatesLikeMetricMath() {
        assertEquals(25.0, Arithmetic.evaluate("100 * a / (a + b)", Map.of("a", 1.0, "b", 3.0)));
        assertTrue(Double.isNaN(Arithmetic.evaluate("a / b", Map.of("a", 1.0, "b", 0.0))), "no value, as CloudWatch");
        assertEquals(-1.0, Arithmetic.evaluate("-(a - 0.5) * 2", Map.of("a", 1.0)));
        assertEquals(7.0, LocalMetrics.stat("Sum", new double[] {3, 4}));
        assertEquals(4.0, LocalMetrics.stat("p99", new double[] {1, 2, 3, 4}));
    }
}
