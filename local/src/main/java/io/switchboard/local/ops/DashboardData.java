package io.switchboard.local.ops;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local dashboard's data: each widget of {@link OpsDefinitions} as series computed from {@link LocalMetrics} the
 * way CloudWatch computes them — points matched by namespace, name and exact dimension set, one statistic per
 * period, one line per value of a {@code groupBy} dimension, expressions evaluated per period — and each alarm's state
 * over its last periods. Locally a period is {@link #LOCAL_PERIOD_MILLIS} instead of the definitions' minute, so the
 * charts move while you watch; alarm periods are scaled alike.
 */
public final class DashboardData {
    /** One local period. */
    public static final long LOCAL_PERIOD_MILLIS = 5_000;
    /** Most periods drawn (15 minutes). */
    public static final int MAX_PERIODS = 180;
    /** Fewest periods drawn (a minute): the window starts with the run's first point, within these bounds. */
    public static final int MIN_PERIODS = 12;
    private static final Pattern REF = Pattern.compile("\\$\\{([A-Za-z0-9]+)(?:\\.([A-Za-z0-9]+))?}");

    private final OpsDefinitions defs;
    private final LocalMetrics metrics;
    private final UnaryOperator<String> resources;

    /**
     * Data over {@code metrics}.
     *
     * @param resources maps a template reference ({@code ${LogicalId}} or {@code ${LogicalId.Attribute}}) to the
     *     local run's value (a function's name, a queue's name)
     */
    public DashboardData(OpsDefinitions defs, LocalMetrics metrics, UnaryOperator<String> resources) {
        this.defs = Objects.requireNonNull(defs);
        this.metrics = Objects.requireNonNull(metrics);
        this.resources = Objects.requireNonNull(resources);
    }

    /** Every widget's series and every alarm's state, as the page reads them. */
    public ObjectNode render() {
        long now = metrics.clock().millis();
        long end = (now / LOCAL_PERIOD_MILLIS + 1) * LOCAL_PERIOD_MILLIS;
        List<LocalMetrics.Point> points = metrics.since(end - MAX_PERIODS * LOCAL_PERIOD_MILLIS
                - LocalMetrics.RETENTION_MILLIS);
        long first = points.stream().mapToLong(LocalMetrics.Point::epochMillis).min().orElse(now);
        int periods = (int) Math.max(MIN_PERIODS, Math.min(MAX_PERIODS, (end - first) / LOCAL_PERIOD_MILLIS + 1));
        long start = end - periods * LOCAL_PERIOD_MILLIS;
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("now", now).put("start", start).put("end", end).put("periodMillis", LOCAL_PERIOD_MILLIS)
                .put("documents", metrics.documents());
        ArrayNode widgets = root.putArray("widgets");
        for (OpsDefinitions.Widget w : defs.widgets()) {
            ObjectNode wn = widgets.addObject();
            wn.put("title", w.title()).put("width", w.width());
            ArrayNode series = wn.putArray("series");
            Map<String, double[]> byId = new HashMap<>();
            int colour = 0;
            for (OpsDefinitions.Metric m : w.metrics()) {
                if (m.isExpression()) {
                    double[] values = new double[periods];
                    for (int i = 0; i < periods; i++) {
                        Map<String, Double> vars = new HashMap<>();
                        int slot = i;
                        byId.forEach((id, v) -> vars.put(id, Double.isNaN(v[slot]) ? 0.0 : v[slot]));
                        values[i] = Arithmetic.evaluate(m.expression(), vars);
                    }
                    add(series, m.displayLabel(), values, start, colour++);
                    continue;
                }
                Map<String, double[]> lines = lines(m, points, start, periods, LOCAL_PERIOD_MILLIS);
                if (m.groupBy() == null) {
                    double[] v = lines.getOrDefault("", empty(periods));
                    if (m.id() != null) {
                        byId.put(m.id(), v);
                    }
                    if (m.visible()) {
                        add(series, m.displayLabel(), v, start, colour++);
                    }
                } else {
                    boolean several = w.metrics().stream().filter(x -> x.groupBy() != null).count() > 1;
                    for (Map.Entry<String, double[]> e : lines.entrySet()) {
                        add(series, several ? e.getKey() + " " + m.metric() : e.getKey(), e.getValue(), start,
                                colour++);
                    }
                }
            }
        }
        ArrayNode alarms = root.putArray("alarms");
        for (OpsDefinitions.Alarm a : defs.alarms()) {
            alarms.add(alarm(a, points, now));
        }
        return root;
    }

    private ObjectNode alarm(OpsDefinitions.Alarm a, List<LocalMetrics.Point> points, long now) {
        long period = LOCAL_PERIOD_MILLIS * Math.max(1, a.period() / defs.period());
        int n = a.evaluationPeriods();
        long start = (now / period + 1) * period - n * period;
        Map<String, double[]> byId = new HashMap<>();
        for (OpsDefinitions.Metric m : a.metrics()) {
            byId.put(m.id(), lines(m, points, start, n, period).getOrDefault("", empty(n)));
        }
        int breaching = 0;
        double last = Double.NaN;
        for (int i = 0; i < n; i++) {
            double v;
            if (a.expression() == null) {
                v = byId.values().iterator().next()[i];
            } else {
                Map<String, Double> vars = new HashMap<>();
                int slot = i;
                byId.forEach((id, vals) -> vars.put(id, Double.isNaN(vals[slot]) ? 0.0 : vals[slot]));
                v = Arithmetic.evaluate(a.expression(), vars);
            }
            if (!Double.isNaN(v)) {
                last = v;
                if (v > a.threshold()) {
                    breaching++;
                }
            }
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", a.name()).put("description", a.description()).put("threshold", a.threshold())
                .put("state", breaching >= a.datapointsToAlarm() ? "ALARM" : "OK");
        if (!Double.isNaN(last)) {
            o.put("value", last);
        } else {
            o.putNull("value");
        }
        return o;
    }

    /**
     * The metric's lines over {@code periods} periods from {@code start}: keyed by the {@code groupBy} dimension's value,
     * or by {@code ""} without one.
     */
    Map<String, double[]> lines(OpsDefinitions.Metric m, List<LocalMetrics.Point> points, long start, int periods,
            long period) {
        TreeSet<String> keys = new TreeSet<>(m.dimensions().keySet());
        if (m.service()) {
            keys.add("Service");
        }
        if (m.groupBy() != null) {
            keys.add(m.groupBy());
        }
        Map<String, String> fixed = new TreeMap<>();
        m.dimensions().forEach((k, v) -> fixed.put(k, resolve(v)));
        Map<String, List<List<Double>>> buckets = new LinkedHashMap<>();
        for (LocalMetrics.Point p : points) {
            if (!p.name().equals(m.metric()) || !p.dimensions().keySet().equals(keys)
                    || m.own() == p.namespace().startsWith("AWS/")
                    || (!m.own() && !p.namespace().equals(m.namespace()))) {
                continue;
            }
            boolean match = true;
            for (Map.Entry<String, String> f : fixed.entrySet()) {
                match &= f.getValue().equals(p.dimensions().get(f.getKey()));
            }
            long slot = (p.epochMillis() - start) / period;
            if (!match || p.epochMillis() < start || slot >= periods) {
                continue;
            }
            String line = m.groupBy() == null ? "" : p.dimensions().get(m.groupBy());
            List<List<Double>> b = buckets.computeIfAbsent(line, k -> {
                List<List<Double>> l = new ArrayList<>(periods);
                for (int i = 0; i < periods; i++) {
                    l.add(new ArrayList<>());
                }
                return l;
            });
            b.get((int) slot).add(p.value());
        }
        Map<String, double[]> out = new TreeMap<>();
        buckets.forEach((line, b) -> {
            double[] v = new double[periods];
            for (int i = 0; i < periods; i++) {
                v[i] = LocalMetrics.stat(m.stat(), b.get(i).stream().mapToDouble(Double::doubleValue).toArray());
            }
            out.put(line, v);
        });
        return out;
    }

    private String resolve(String value) {
        Matcher r = REF.matcher(value);
        return r.matches() ? resources.apply(value) : value;
    }

    private static double[] empty(int n) {
        double[] v = new double[n];
        java.util.Arrays.fill(v, Double.NaN);
        return v;
    }

    private static void add(ArrayNode series, String label, double[] values, long start, int colour) {
        ObjectNode s = series.addObject();
        s.put("label", label).put("colour", colour);
        ArrayNode pts = s.putArray("points");
        for (int i = 0; i < values.length; i++) {
            if (!Double.isNaN(values[i])) {
                pts.addArray().add(start + i * LOCAL_PERIOD_MILLIS).add(Math.round(values[i] * 1000) / 1000.0);
            }
        }
    }
}
