package io.switchboard.local.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders {@link OpsDefinitions} as template.yaml's resources: one {@code AWS::CloudWatch::Dashboard}
 * ({@code OperationsDashboard}, its body a {@code Fn::Sub} of the dashboard JSON) and one {@code AWS::CloudWatch::Alarm}
 * per alarm, each notifying {@code AlarmTopicArn} when set. The block sits in template.yaml between
 * {@link #BEGIN} and {@link #END}; {@link #write(Path)} replaces it.
 */
public final class CloudFormationOps {
    /** The line that opens the generated block. */
    public static final String BEGIN = "  # BEGIN generated from local/src/main/resources/io/switchboard/local/ops/dashboard.yaml"
            + " (OpsTemplateTest; do not edit by hand)";
    /** The line that closes it. */
    public static final String END = "  # END generated dashboard and alarms";
    /** The {@code Service} dimension of every function (the template's {@code POWERTOOLS_SERVICE_NAME}). */
    public static final String SERVICE = "switchboard";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern REF = Pattern.compile("\\$\\{([A-Za-z0-9]+)(?:\\.([A-Za-z0-9]+))?}");

    private CloudFormationOps() {
    }

    /** The whole generated block, {@link #BEGIN} to {@link #END} included, each line ending in a newline. */
    public static String render(OpsDefinitions defs) {
        StringBuilder sb = new StringBuilder();
        sb.append(BEGIN).append('\n');
        sb.append("  OperationsDashboard:\n");
        sb.append("    Type: AWS::CloudWatch::Dashboard\n");
        sb.append("    Properties:\n");
        sb.append("      DashboardName:\n");
        sb.append("        Fn::Sub: ${AWS::StackName}-operations\n");
        sb.append("      DashboardBody:\n");
        sb.append("        Fn::Sub: |-\n");
        for (String line : dashboardBody(defs).split("\n")) {
            sb.append("          ").append(line).append('\n');
        }
        for (OpsDefinitions.Alarm a : defs.alarms()) {
            alarm(sb, a);
        }
        sb.append(END).append('\n');
        return sb.toString();
    }

    /** The dashboard's JSON, one widget per line, with {@code ${...}} left for {@code Fn::Sub}. */
    public static String dashboardBody(OpsDefinitions defs) {
        StringBuilder sb = new StringBuilder("{\"widgets\": [\n");
        int x = 0;
        int y = 0;
        for (int i = 0; i < defs.widgets().size(); i++) {
            OpsDefinitions.Widget w = defs.widgets().get(i);
            if (x + w.width() > 24) {
                x = 0;
                y += 6;
            }
            ObjectNode widget = JsonNodeFactory.instance.objectNode();
            widget.put("type", "metric").put("x", x).put("y", y).put("width", w.width()).put("height", 6);
            ObjectNode p = widget.putObject("properties");
            p.put("title", w.title()).put("region", "${AWS::Region}").put("view", "timeSeries")
                    .put("stacked", false).put("period", defs.period());
            ArrayNode metrics = p.putArray("metrics");
            int expressions = 0;
            for (OpsDefinitions.Metric m : w.metrics()) {
                if (m.isExpression()) {
                    ObjectNode e = metrics.addArray().addObject();
                    e.put("expression", m.expression()).put("label", m.displayLabel())
                            .put("id", "e" + (++expressions));
                } else if (m.groupBy() != null) {
                    ObjectNode e = metrics.addArray().addObject();
                    e.put("expression", search(m, defs.period())).put("label", m.label() != null ? m.label() : "")
                            .put("id", m.id() != null ? m.id() : "s" + (++expressions));
                    if (!m.visible()) {
                        e.put("visible", false);
                    }
                } else {
                    ArrayNode line = metrics.addArray();
                    line.add(m.namespace()).add(m.metric());
                    if (m.service()) {
                        line.add("Service").add(SERVICE);
                    }
                    m.dimensions().forEach((k, v) -> line.add(k).add(v));
                    ObjectNode opts = line.addObject();
                    opts.put("stat", m.stat()).put("label", m.displayLabel());
                    if (m.id() != null) {
                        opts.put("id", m.id());
                    }
                    if (!m.visible()) {
                        opts.put("visible", false);
                    }
                }
            }
            try {
                sb.append("  ").append(JSON.writeValueAsString(widget));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            sb.append(i + 1 < defs.widgets().size() ? ",\n" : "\n");
            x += w.width();
        }
        return sb.append("]}").toString();
    }

    /** CloudWatch's SEARCH for one line per value of the metric's {@code groupBy} dimension. */
    static String search(OpsDefinitions.Metric m, int period) {
        String schema = "{" + m.namespace() + (m.service() ? ",Service" : "") + "," + m.groupBy() + "}";
        return "SEARCH('" + schema + " MetricName=\"" + m.metric() + "\"', '" + m.stat() + "', " + period + ")";
    }

    private static void alarm(StringBuilder sb, OpsDefinitions.Alarm a) {
        sb.append("  ").append(a.name()).append("Alarm:\n");
        sb.append("    Type: AWS::CloudWatch::Alarm\n");
        sb.append("    Properties:\n");
        sb.append("      AlarmName:\n");
        sb.append("        Fn::Sub: ${AWS::StackName}-").append(a.name()).append('\n');
        sb.append("      AlarmDescription: ").append(quote(a.description())).append('\n');
        sb.append("      ComparisonOperator: GreaterThanThreshold\n");
        sb.append("      Threshold: ").append(number(a.threshold())).append('\n');
        sb.append("      EvaluationPeriods: ").append(a.evaluationPeriods()).append('\n');
        sb.append("      DatapointsToAlarm: ").append(a.datapointsToAlarm()).append('\n');
        sb.append("      TreatMissingData: notBreaching\n");
        for (String actions : new String[] {"AlarmActions", "OKActions"}) {
            sb.append("      ").append(actions).append(":\n");
            sb.append("        Fn::If: [HasAlarmTopic, [{Ref: AlarmTopicArn}], {Ref: AWS::NoValue}]\n");
        }
        sb.append("      Metrics:\n");
        for (OpsDefinitions.Metric m : a.metrics()) {
            sb.append("        - Id: ").append(m.id()).append('\n');
            sb.append("          ReturnData: ").append(a.expression() == null).append('\n');
            sb.append("          MetricStat:\n");
            sb.append("            Metric:\n");
            sb.append("              Namespace: ").append(m.own() ? "{Ref: MetricsNamespace}" : m.namespace())
                    .append('\n');
            sb.append("              MetricName: ").append(m.metric()).append('\n');
            sb.append("              Dimensions:\n");
            if (m.service()) {
                sb.append("                - {Name: Service, Value: ").append(SERVICE).append("}\n");
            }
            for (Map.Entry<String, String> d : m.dimensions().entrySet()) {
                sb.append("                - {Name: ").append(d.getKey()).append(", Value: ")
                        .append(reference(d.getValue())).append("}\n");
            }
            sb.append("            Period: ").append(a.period()).append('\n');
            sb.append("            Stat: ").append(m.stat()).append('\n');
        }
        if (a.expression() != null) {
            sb.append("        - Id: value\n");
            sb.append("          Expression: ").append(quote(a.expression())).append('\n');
            sb.append("          Label: ").append(a.name()).append('\n');
            sb.append("          ReturnData: true\n");
        }
    }

    /** {@code ${Logical}} as {@code {Ref: Logical}}, {@code ${Logical.Attr}} as {@code Fn::GetAtt}; else quoted. */
    static String reference(String value) {
        Matcher m = REF.matcher(value);
        if (!m.matches()) {
            return quote(value);
        }
        return m.group(2) == null ? "{Ref: " + m.group(1) + "}"
                : "{\"Fn::GetAtt\": [" + m.group(1) + ", " + m.group(2) + "]}";
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String number(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%s", d);
    }

    /** Replaces the generated block of {@code template} with a fresh rendering; returns whether it changed. */
    public static boolean write(Path template) throws IOException {
        String current = Files.readString(template, StandardCharsets.UTF_8);
        String updated = replaceBlock(current, render(OpsDefinitions.load()));
        if (updated.equals(current)) {
            return false;
        }
        Files.writeString(template, updated, StandardCharsets.UTF_8);
        return true;
    }

    /** {@code template} with its generated block replaced by {@code block}. */
    public static String replaceBlock(String template, String block) {
        int begin = template.indexOf(BEGIN);
        int end = template.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("template.yaml has no generated ops block (" + BEGIN.strip() + ")");
        }
        return template.substring(0, begin) + block + template.substring(end + END.length() + 1);
    }

    /** The generated block as it is in {@code template}. */
    public static String currentBlock(String template) {
        int begin = template.indexOf(BEGIN);
        int end = template.indexOf(END);
        if (begin < 0 || end < begin) {
            return "";
        }
        return template.substring(begin, end + END.length() + 1);
    }

    /** {@code java -cp switchboard-local.jar io.switchboard.local.ops.CloudFormationOps template.yaml}. */
    public static void main(String[] args) throws IOException {
        Path t = Path.of(args.length > 0 ? args[0] : "template.yaml");
        System.out.println(write(t) ? "updated " + t : t + " is up to date");
    }
}
