package io.switchboard.bench.harness;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * An SVG of a run's latency distributions: one panel per non-streaming small-prompt cell, one box plot per target
 * (whiskers p1–p99, box p25–p75, bar at the median), each panel on its own linear scale. Plain string building.
 */
final class Chart {
    private static final int W = 900;
    private static final int ROW = 26;
    private static final int LEFT = 110;
    private static final int RIGHT = 30;
    private static final String[] COLORS = {"#6b7280", "#2563eb", "#ea580c", "#16a34a"};

    private Chart() {
    }

    static String svg(JsonNode results) {
        List<Map.Entry<String, JsonNode>> panels = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = results.path("cells").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().path("stream").asBoolean() && e.getValue().path("prompt_bytes").asInt() < 1000) {
                panels.add(e);
            }
        }
        int targets = results.path("targets").size();
        int panelH = 40 + targets * ROW + 30;
        int h = 60 + panels.size() * panelH;
        StringBuilder sb = new StringBuilder();
        sb.append(Harness.fmt("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", W, h));
        sb.append(Harness.fmt("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, h));
        sb.append(Harness.fmt("<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">Request latency: direct "
                + "vs gateways (%s mode, %s, %s x%d)</text>%n", results.path("mode").asText(),
                results.path("commit").asText(), esc(results.path("machine").path("cpu").asText()),
                results.path("machine").path("cpus").asInt()));
        sb.append("<text x=\"10\" y=\"42\" fill=\"#555\">whiskers p1–p99, box p25–p75, bar = median; "
                + "microseconds, each panel on its own scale; mock upstream on loopback</text>\n");
        int y = 60;
        for (Map.Entry<String, JsonNode> p : panels) {
            JsonNode ts = p.getValue().path("targets");
            double max = 0;
            for (Iterator<JsonNode> it = ts.elements(); it.hasNext();) {
                JsonNode d = it.next().path("distribution_us");
                max = Math.max(max, d.get(d.size() - 1).asDouble());
            }
            max = niceCeil(max * 1.05);
            sb.append(Harness.fmt("<text x=\"10\" y=\"%d\" font-weight=\"bold\">%s: upstream %d ms, %d B prompt, "
                    + "concurrency %d</text>%n", y + 16, p.getKey(), p.getValue().path("latency_ms").asInt(),
                    p.getValue().path("prompt_bytes").asInt(), p.getValue().path("concurrency").asInt()));
            int row = 0;
            int top = y + 28;
            for (Iterator<Map.Entry<String, JsonNode>> it = ts.fields(); it.hasNext(); row++) {
                Map.Entry<String, JsonNode> t = it.next();
                JsonNode d = t.getValue().path("distribution_us");
                int cy = top + row * ROW + ROW / 2;
                String c = COLORS[Math.min(row, COLORS.length - 1)];
                sb.append(Harness.fmt("<text x=\"10\" y=\"%d\">%s</text>%n", cy + 4, t.getKey()));
                double p1 = d.get(0).asDouble();
                double p25 = d.get(3).asDouble();
                double p50 = d.get(4).asDouble();
                double p75 = d.get(5).asDouble();
                double p99 = d.get(8).asDouble();
                sb.append(Harness.fmt("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>%n",
                        x(p1, max), cy, x(p99, max), cy, c));
                sb.append(Harness.fmt("<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" "
                        + "fill-opacity=\"0.35\" stroke=\"%s\"/>%n", x(p25, max), cy - 8,
                        Math.max(1, x(p75, max) - x(p25, max)), 16, c, c));
                sb.append(Harness.fmt("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
                        + "stroke-width=\"3\"/>%n", x(p50, max), cy - 9, x(p50, max), cy + 9, c));
                sb.append(Harness.fmt("<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#333\">p50 %.0f · p99 %.0f"
                        + "</text>%n", Math.min(x(p99, max) + 6, W - 150), cy + 4, p50, p99));
            }
            int axisY = top + targets * ROW + 4;
            sb.append(Harness.fmt("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>%n", LEFT, axisY,
                    W - RIGHT, axisY));
            for (int i = 0; i <= 5; i++) {
                double v = max * i / 5;
                sb.append(Harness.fmt("<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#555\" "
                        + "text-anchor=\"middle\">%s</text>%n", x(v, max), axisY + 13, label(v)));
            }
            y += panelH;
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static double x(double v, double max) {
        return LEFT + (W - LEFT - RIGHT) * v / max;
    }

    private static String label(double us) {
        return us >= 10_000 ? Harness.fmt("%.0f ms", us / 1000) : us >= 1000 ? Harness.fmt("%.1f ms", us / 1000)
                : Harness.fmt("%.0f us", us);
    }

    private static double niceCeil(double v) {
        double mag = Math.pow(10, Math.floor(Math.log10(Math.max(1, v))));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * mag >= v) {
                return m * mag;
            }
        }
        return 10 * mag;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
