package io.switchboard.bench.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.shared.json.Json;
import java.util.Iterator;
import java.util.Map;

/** Text tables of a run's results, and its line of history. */
final class Report {
    private Report() {
    }

    static String text(JsonNode r) {
        StringBuilder sb = new StringBuilder();
        JsonNode m = r.path("machine");
        sb.append(Harness.fmt("%nSwitchboard performance harness, %s mode, %s, %d rounds; %s x%d, %s, JDK %s%n",
                r.path("mode").asText(), r.path("commit").asText(), r.path("rounds").asInt(), m.path("cpu").asText(),
                m.path("cpus").asInt(), m.path("memory").asText(), m.path("jdk").asText()));
        if (!r.path("portkey").path("available").asBoolean()) {
            sb.append("Portkey: not measured (").append(r.path("portkey").path("reason").asText()).append(")\n");
        }
        sb.append(Harness.fmt("%-26s %-12s %9s %9s %10s %10s %8s%n", "cell", "target", "p50 us", "p99 us",
                "+p50 us", "+p99 us", "req/s"));
        for (Iterator<Map.Entry<String, JsonNode>> it = r.path("cells").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> cell = it.next();
            for (Iterator<Map.Entry<String, JsonNode>> t = cell.getValue().path("targets").fields(); t.hasNext();) {
                Map.Entry<String, JsonNode> e = t.next();
                JsonNode v = e.getValue();
                sb.append(Harness.fmt("%-26s %-12s %9.0f %9.0f %10s %10s %8d%n", cell.getKey(), e.getKey(),
                        v.path("latency").path("p50_us").asDouble(), v.path("latency").path("p99_us").asDouble(),
                        v.has("added_p50_us") ? Harness.fmt("%.0f", v.path("added_p50_us").asDouble()) : "-",
                        v.has("added_p99_us") ? Harness.fmt("%.0f", v.path("added_p99_us").asDouble()) : "-",
                        v.path("throughput_rps").asLong()));
            }
            sb.append(Harness.fmt("%-26s switchboard overhead ratio %.3f (noise %.3f)%n", "",
                    cell.getValue().path("overhead_ratio").asDouble(),
                    cell.getValue().path("overhead_ratio_noise").asDouble()));
            if (cell.getValue().path("stream").asBoolean()) {
                StringBuilder fe = new StringBuilder();
                for (Iterator<Map.Entry<String, JsonNode>> t = cell.getValue().path("targets").fields(); t.hasNext();) {
                    Map.Entry<String, JsonNode> e = t.next();
                    JsonNode v = e.getValue();
                    fe.append(Harness.fmt(" %s %.0f", e.getKey(), v.path("first_event").path("p50_us").asDouble()));
                    if (v.has("added_first_event_p50_us")) {
                        fe.append(Harness.fmt(" (%+.0f)", v.path("added_first_event_p50_us").asDouble()));
                    }
                }
                sb.append(Harness.fmt("%-26s first data: event p50 us:%s%n", "", fe));
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = r.path("rss_bytes").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            sb.append(Harness.fmt("RSS %-12s %.0f MiB%n", e.getKey(), e.getValue().asLong() / 1048576.0));
        }
        if (r.has("cache")) {
            JsonNode c = r.path("cache");
            for (String k : new String[] {"l1_hit", "l2_hit", "redis_get"}) {
                sb.append(Harness.fmt("cache %-10s p50 %7.1f us  p99 %7.1f us%n", k, c.path(k).path("p50_us").asDouble(),
                        c.path(k).path("p99_us").asDouble()));
            }
        }
        sb.append(Harness.fmt("duration %.1f s%n", r.path("duration_s").asDouble()));
        return sb.toString();
    }

    /** One line of {@code bench/history.jsonl}: when, what, where, and each cell's headline numbers. */
    static ObjectNode historyLine(JsonNode r) {
        ObjectNode h = Json.MAPPER.createObjectNode();
        h.put("time", r.path("time").asText());
        h.put("mode", r.path("mode").asText());
        h.put("commit", r.path("commit").asText());
        h.put("machine", r.path("machine").path("cpu").asText() + " x" + r.path("machine").path("cpus").asInt());
        ObjectNode cells = h.putObject("cells");
        for (Iterator<Map.Entry<String, JsonNode>> it = r.path("cells").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> cell = it.next();
            ObjectNode o = cells.putObject(cell.getKey());
            o.put("ratio", cell.getValue().path("overhead_ratio").asDouble());
            o.put("noise", cell.getValue().path("overhead_ratio_noise").asDouble());
            for (Iterator<Map.Entry<String, JsonNode>> t = cell.getValue().path("targets").fields(); t.hasNext();) {
                Map.Entry<String, JsonNode> e = t.next();
                o.put(e.getKey() + "_p50_us", e.getValue().path("latency").path("p50_us").asDouble());
                o.put(e.getKey() + "_p99_us", e.getValue().path("latency").path("p99_us").asDouble());
                if (e.getValue().has("first_event")) {
                    o.put(e.getKey() + "_first_event_p50_us",
                            e.getValue().path("first_event").path("p50_us").asDouble());
                }
            }
        }
        if (r.has("stream_verdict")) {
            h.put("stream_pass", r.path("stream_verdict").path("pass").asBoolean());
        }
        if (r.has("rss_bytes")) {
            h.set("rss_bytes", r.path("rss_bytes"));
        }
        return h;
    }
}
