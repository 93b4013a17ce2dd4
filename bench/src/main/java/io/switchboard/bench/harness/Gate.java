package io.switchboard.bench.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.shared.json.Json;

/**
 * The regression gate. Its measure is a ratio taken inside one run, never an absolute time: for a gate cell (0 ms
 * upstream, small prompt, non-streaming, concurrency 1 and 8), each round gives
 * {@code r = (p50(Switchboard) - p50(direct)) / p50(direct)} over the interleaved requests of that round; the cell's
 * ratio is the median of its rounds and its noise {@code (max r - min r) / median r}. A cell regresses when
 * {@code ratio / baseline ratio - 1 > max(10 %, run noise, baseline noise)}; the gate fails if any cell regresses.
 */
final class Gate {
    static final double THRESHOLD = 0.10;

    private Gate() {
    }

    /** The verdict and a printable report. */
    record Verdict(boolean pass, String report) {
    }

    /** The baseline to commit from a run's results. */
    static ObjectNode baseline(JsonNode results) {
        ObjectNode b = Json.MAPPER.createObjectNode();
        b.put("recorded", results.path("time").asText());
        b.put("commit", results.path("commit").asText());
        b.set("machine", results.path("machine"));
        b.put("threshold", THRESHOLD);
        ObjectNode cells = b.putObject("cells");
        for (int c : Harness.GATE_CONCURRENCY) {
            JsonNode cell = results.path("cells").path(cellName(c));
            ObjectNode o = cells.putObject(cellName(c));
            o.put("overhead_ratio", cell.path("overhead_ratio").asDouble());
            o.put("overhead_ratio_noise", cell.path("overhead_ratio_noise").asDouble());
        }
        return b;
    }

    static Verdict judge(JsonNode results, JsonNode baseline) {
        StringBuilder sb = new StringBuilder("Regression gate (Switchboard's added p50 / direct p50, same run):\n");
        boolean pass = true;
        for (int c : Harness.GATE_CONCURRENCY) {
            String name = cellName(c);
            JsonNode run = results.path("cells").path(name);
            JsonNode base = baseline.path("cells").path(name);
            if (run.isMissingNode() || base.isMissingNode()) {
                sb.append(Harness.fmt("  %-16s missing in the run or the baseline: FAIL%n", name));
                pass = false;
                continue;
            }
            double r = run.path("overhead_ratio").asDouble();
            double b = base.path("overhead_ratio").asDouble();
            double allowed = Math.max(baseline.path("threshold").asDouble(THRESHOLD),
                    Math.max(run.path("overhead_ratio_noise").asDouble(), base.path("overhead_ratio_noise").asDouble()));
            double change = r / b - 1;
            boolean ok = change <= allowed;
            pass &= ok;
            sb.append(Harness.fmt("  %-16s ratio %.3f (rounds %s), baseline %.3f: %+.1f %%, allowed +%.1f %%: %s%n",
                    name, r, run.path("round_overhead_ratio"), b, change * 100, allowed * 100, ok ? "ok" : "FAIL"));
        }
        sb.append(pass ? "gate: pass\n" : "gate: FAIL (Switchboard's overhead regressed; see docs/performance.md)\n");
        return new Verdict(pass, sb.toString());
    }

    static String cellName(int concurrency) {
        return "0ms-small-c" + concurrency;
    }
}
