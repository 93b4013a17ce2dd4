package io.switchboard.local.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.switchboard.core.metrics.MetricNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * template.yaml's dashboard and alarms are the rendering of the one definition, and they agree with the code: every
 * metric of the gateway's namespace they name is one the code emits ({@link MetricNames}, which the code writes
 * through), and every emitted metric but those deliberately left off is on the dashboard.
 */
class OpsTemplateTest {
    private static final Pattern SEARCH_NAME = Pattern.compile("MetricName=\"([A-Za-z0-9]+)\"");
    private static final Pattern LITERAL_METRIC = Pattern.compile(
            "(addMetric|flushSingleMetric|single)\\(\\s*\"");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path projectDir() {
        String prop = System.getProperty("switchboard.project.dir");
        Path p = (prop != null ? Path.of(prop) : Path.of("..")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(p.resolve("template.yaml"))) {
            throw new IllegalStateException("no template.yaml in " + p);
        }
        return p;
    }

    @Test
    void template_generatedBlock_isInSyncWithDefinitions() throws IOException {
        Path template = projectDir().resolve("template.yaml");
        if (Boolean.getBoolean("switchboard.ops.write")) {
            CloudFormationOps.write(template);
        }
        String text = Files.readString(template, StandardCharsets.UTF_8);
        assertEquals(CloudFormationOps.render(OpsDefinitions.load()), CloudFormationOps.currentBlock(text),
                "template.yaml's dashboard and alarms are out of date with dashboard.yaml; regenerate: mvn -B -ntp -o -q"
                        + " -pl local -am test -Dtest=OpsTemplateTest -Dsurefire.failIfNoSpecifiedTests=false"
                        + " -Dswitchboard.ops.write=true");
    }

    /** The dashboard body as CloudFormation would pass it, with the stack's values substituted. */
    static JsonNode dashboardBody(JsonNode template) throws IOException {
        String sub = template.at("/Resources/OperationsDashboard/Properties/DashboardBody/Fn::Sub").asText();
        assertFalse(sub.isEmpty(), "template.yaml has no OperationsDashboard with a Fn::Sub body");
        String body = sub.replace("${MetricsNamespace}", "Switchboard").replace("${AWS::Region}", "us-east-1")
                .replaceAll("\\$\\{([A-Za-z0-9]+)(\\.[A-Za-z0-9]+)?}", "$1");
        return JSON.readTree(body);
    }

    /** Every metric name of the gateway's namespace the dashboard draws. */
    static Set<String> ownMetrics(JsonNode body) {
        Set<String> names = new TreeSet<>();
        for (JsonNode w : body.path("widgets")) {
            for (JsonNode line : w.at("/properties/metrics")) {
                JsonNode first = line.get(0);
                if (first.isTextual() && first.asText().equals("Switchboard")) {
                    names.add(line.get(1).asText());
                } else if (first.isObject() && first.path("expression").asText().startsWith("SEARCH('{Switchboard")) {
                    Matcher m = SEARCH_NAME.matcher(first.path("expression").asText());
                    assertTrue(m.find(), first::toString);
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    @Test
    void dashboard_namesOnlyEmittedMetrics_andEveryMetricThatMatters() throws IOException {
        JsonNode template = YAML.readTree(projectDir().resolve("template.yaml").toFile());
        JsonNode body = dashboardBody(template);
        assertTrue(body.path("widgets").size() >= 15, "the dashboard's widgets: " + body.path("widgets").size());
        Set<String> drawn = ownMetrics(body);
        Set<String> emitted = MetricNames.all();
        Set<String> unknown = new TreeSet<>(drawn);
        unknown.removeAll(emitted);
        assertEquals(Set.of(), unknown, "metrics on the dashboard that no code emits");
        Set<String> missing = new TreeSet<>(emitted);
        missing.removeAll(drawn);
        missing.removeAll(MetricNames.NOT_ON_DASHBOARD);
        assertEquals(Set.of(), missing, "emitted metrics missing from the dashboard (add a widget, or list them in "
                + "MetricNames.NOT_ON_DASHBOARD)");
        for (JsonNode w : body.path("widgets")) {
            assertEquals("us-east-1", w.at("/properties/region").asText());
        }
    }

    @Test
    void alarms_exist_notifyTheTopic_andWatchEmittedMetrics() throws IOException {
        JsonNode resources = YAML.readTree(projectDir().resolve("template.yaml").toFile()).path("Resources");
        List<String> alarms = new ArrayList<>();
        resources.fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals("AWS::CloudWatch::Alarm")) {
                alarms.add(e.getKey());
                JsonNode p = e.getValue().path("Properties");
                assertEquals("HasAlarmTopic", p.at("/AlarmActions/Fn::If/0").asText(), e.getKey());
                for (JsonNode q : p.path("Metrics")) {
                    JsonNode metric = q.at("/MetricStat/Metric");
                    if (metric.path("Namespace").has("Ref")) {
                        assertTrue(MetricNames.all().contains(metric.path("MetricName").asText()),
                                e.getKey() + " watches " + metric);
                    }
                }
            }
        });
        assertEquals(Set.of("HighErrorRateAlarm", "HighOverheadAlarm", "ThrottlingAlarm", "DeadLettersAlarm",
                "DiscoveryFailingAlarm", "L2ErrorsAlarm"), Set.copyOf(alarms));
    }

    @Test
    void metricNames_areWrittenThroughTheCatalog_neverAsLiterals() throws IOException {
        Path root = projectDir();
        List<String> offenders = new ArrayList<>();
        for (String dir : List.of("layers/core/src/main/java", "functions")) {
            try (Stream<Path> files = Files.walk(root.resolve(dir))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("src/main"))
                        .toList()) {
                    if (LITERAL_METRIC.matcher(Files.readString(f)).find()) {
                        offenders.add(root.relativize(f).toString());
                    }
                }
            }
        }
        assertEquals(List.of(), offenders, "metric names written as literals (name them in MetricNames)");
    }
}
