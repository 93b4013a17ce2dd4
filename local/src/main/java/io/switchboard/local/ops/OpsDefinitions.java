package io.switchboard.local.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The dashboard's widgets and the alarms, read from {@code io/switchboard/local/ops/dashboard.yaml}: the one
 * definition that template.yaml's dashboard and alarms are generated from ({@link CloudFormationOps}) and the local
 * run's {@code GET /dashboard} draws.
 *
 * @param period seconds per data point
 * @param widgets the widgets, in order
 * @param alarms the alarms
 */
public record OpsDefinitions(int period, List<Widget> widgets, List<Alarm> alarms) {
    /** The resource holding the definitions. */
    public static final String RESOURCE = "/io/switchboard/local/ops/dashboard.yaml";
    /** The gateway's own namespace, as written in definitions and rendered as the template's parameter. */
    public static final String OWN_NAMESPACE = "${MetricsNamespace}";

    public OpsDefinitions {
        widgets = List.copyOf(widgets);
        alarms = List.copyOf(alarms);
    }

    /**
     * One metric or expression of a widget or alarm.
     *
     * @param id the id expressions refer to, or null
     * @param namespace {@link #OWN_NAMESPACE} or an AWS namespace
     * @param metric the metric name (null for an expression)
     * @param stat the statistic
     * @param label the line's label, or null
     * @param visible whether it is drawn
     * @param groupBy a dimension to draw one line per value of, or null
     * @param service whether the metric carries the {@code Service} dimension
     * @param dimensions fixed dimensions (values may be {@code ${LogicalId}} references)
     * @param expression arithmetic over ids, or null for a metric
     */
    public record Metric(String id, String namespace, String metric, String stat, String label, boolean visible,
            String groupBy, boolean service, Map<String, String> dimensions, String expression) {
        public Metric {
            dimensions = Map.copyOf(dimensions);
        }

        /** Whether this is an expression over other entries. */
        public boolean isExpression() {
            return expression != null;
        }

        /** Whether the metric is the gateway's own (not an AWS service's). */
        public boolean own() {
            return OWN_NAMESPACE.equals(namespace);
        }

        /** The label drawn: the given one, else the metric's name (with its statistic when not a count). */
        public String displayLabel() {
            if (label != null) {
                return label;
            }
            return expression != null ? expression : stat.equals("Sum") ? metric : metric + " " + stat;
        }
    }

    /**
     * A dashboard widget.
     *
     * @param title its title
     * @param width its width of 24
     * @param metrics its lines
     */
    public record Widget(String title, int width, List<Metric> metrics) {
        public Widget {
            metrics = List.copyOf(metrics);
        }
    }

    /**
     * An alarm.
     *
     * @param name its name (the template's logical id is {@code name + "Alarm"})
     * @param description what it means
     * @param metrics its inputs
     * @param expression arithmetic over the inputs' ids, or null (then its single metric is the value)
     * @param period seconds per data point
     * @param threshold the value it must exceed
     * @param evaluationPeriods periods looked at
     * @param datapointsToAlarm periods of them that must breach
     */
    public record Alarm(String name, String description, List<Metric> metrics, String expression, int period,
            double threshold, int evaluationPeriods, int datapointsToAlarm) {
        public Alarm {
            metrics = List.copyOf(metrics);
        }
    }

    /** The definitions on the classpath. */
    public static OpsDefinitions load() {
        try (InputStream in = OpsDefinitions.class.getResourceAsStream(RESOURCE)) {
            Objects.requireNonNull(in, RESOURCE);
            return parse(new ObjectMapper(new YAMLFactory()).readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static OpsDefinitions parse(JsonNode root) {
        int period = root.path("period").asInt(60);
        List<Widget> widgets = new ArrayList<>();
        for (JsonNode w : root.path("widgets")) {
            widgets.add(new Widget(text(w, "title"), w.path("width").asInt(12), metrics(w.path("metrics"))));
        }
        List<Alarm> alarms = new ArrayList<>();
        for (JsonNode a : root.path("alarms")) {
            alarms.add(new Alarm(text(a, "name"), text(a, "description"), metrics(a.path("metrics")),
                    a.hasNonNull("expression") ? a.get("expression").asText() : null, a.path("period").asInt(period),
                    a.path("threshold").asDouble(), a.path("evaluationPeriods").asInt(1),
                    a.path("datapointsToAlarm").asInt(1)));
        }
        return new OpsDefinitions(period, widgets, alarms);
    }

    private static List<Metric> metrics(JsonNode list) {
        List<Metric> out = new ArrayList<>();
        for (JsonNode m : list) {
            Map<String, String> dims = new LinkedHashMap<>();
            m.path("dimensions").fields().forEachRemaining(e -> dims.put(e.getKey(), e.getValue().asText()));
            out.add(new Metric(opt(m, "id"), m.has("namespace") ? m.get("namespace").asText() : OWN_NAMESPACE,
                    opt(m, "metric"), m.has("stat") ? m.get("stat").asText() : "Sum", opt(m, "label"),
                    m.path("visible").asBoolean(true), opt(m, "groupBy"),
                    m.path("service").asBoolean(!m.has("namespace")), dims, opt(m, "expression")));
        }
        return out;
    }

    private static String text(JsonNode n, String field) {
        if (!n.hasNonNull(field)) {
            throw new IllegalArgumentException("ops definition without " + field + ": " + n);
        }
        return n.get(field).asText();
    }

    private static String opt(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }
}
