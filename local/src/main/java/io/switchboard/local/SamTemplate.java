package io.switchboard.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the functions of a SAM template: handler, timeout, memory, reserved concurrency, environment (Globals merged
 * with the function's), API routes (HTTP API, and REST API with response streaming) and inline policy statements. Intrinsics are resolved as a local deployment would see them: parameters
 * take their defaults unless overridden, pseudo parameters get local values, and {@code Fn::If}, {@code Fn::Sub},
 * {@code Fn::Join}, {@code Fn::Equals}, {@code Fn::Not}, {@code Fn::And}, {@code Fn::Or} are evaluated. A value that
 * cannot be resolved locally (say {@code Fn::GetAtt}) is left out. The template must use the long form of
 * intrinsics ({@code Ref:}, {@code Fn::Sub:}); short tags ({@code !Ref}) are rejected with a clear error.
 */
public final class SamTemplate {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern SUB = Pattern.compile("\\$\\{([^}!]+)}");
    private static final Object UNRESOLVED = new Object();

    private final JsonNode root;
    private final Map<String, String> parameters;
    /** What {@code Ref} of a resource gives locally (a bus, table, queue or function name). */
    private final Map<String, String> physical = new HashMap<>();
    /** What {@code Fn::GetAtt [resource, Arn]} gives locally. */
    private final Map<String, String> arns = new HashMap<>();

    private final boolean resolveResources;

    private SamTemplate(JsonNode root, Map<String, String> overrides, boolean resolveResources) {
        this.root = root;
        this.resolveResources = resolveResources;
        this.parameters = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("Parameters").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            JsonNode d = p.getValue().get("Default");
            if (d != null) {
                parameters.put(p.getKey(), d.asText());
            }
        }
        parameters.putAll(overrides);
        parameters.put("AWS::Region", overrides.getOrDefault("AWS::Region", "us-east-1"));
        parameters.put("AWS::AccountId", "123456789012");
        parameters.put("AWS::StackName", "switchboard-local");
        parameters.put("AWS::Partition", "aws");
        parameters.put("AWS::URLSuffix", "amazonaws.com");
        String stack = parameters.get("AWS::StackName");
        String prefix = "arn:aws:%s:" + parameters.get("AWS::Region") + ":" + parameters.get("AWS::AccountId") + ":";
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("Resources").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> r = it.next();
            JsonNode props = r.getValue().path("Properties");
            String id = r.getKey();
            switch (r.getValue().path("Type").asText()) {
                case "AWS::Events::EventBus" -> {
                    String name = text(props.get("Name"), stack + "-" + id);
                    physical.put(id, name);
                    arns.put(id, String.format(prefix, "events") + "event-bus/" + name);
                }
                case "AWS::DynamoDB::Table" -> {
                    String name = text(props.get("TableName"), stack + "-" + id);
                    physical.put(id, name);
                    arns.put(id, String.format(prefix, "dynamodb") + "table/" + name);
                }
                case "AWS::SQS::Queue" -> {
                    String name = text(props.get("QueueName"), stack + "-" + id);
                    physical.put(id, name);
                    arns.put(id, String.format(prefix, "sqs") + name);
                }
                case "AWS::Serverless::Function" -> {
                    physical.put(id, stack + "-" + id);
                    arns.put(id, String.format(prefix, "lambda") + "function:" + stack + "-" + id);
                }
                default -> {
                }
            }
        }
    }

    /** The local name a resource's {@code Ref} gives, or null. */
    String physicalName(String logicalId) {
        return physical.get(logicalId);
    }

    /** The buses, rules, schedules, tables and queues the local run emulates. */
    EventSources.All eventSources() {
        List<String> buses = new ArrayList<>();
        List<EventSources.Table> tables = new ArrayList<>();
        List<String> queues = new ArrayList<>();
        List<EventSources.Rule> rules = new ArrayList<>();
        List<EventSources.Schedule> schedules = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("Resources").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> r = it.next();
            String type = r.getValue().path("Type").asText();
            JsonNode props = r.getValue().path("Properties");
            switch (type) {
                case "AWS::Events::EventBus" -> buses.add(physical.get(r.getKey()));
                case "AWS::SQS::Queue" -> queues.add(physical.get(r.getKey()));
                case "AWS::DynamoDB::Table" -> tables.add(new EventSources.Table(r.getKey(),
                        physical.get(r.getKey()), props));
                case "AWS::Serverless::Function" -> {
                    for (Iterator<Map.Entry<String, JsonNode>> ev = props.path("Events").fields(); ev.hasNext(); ) {
                        Map.Entry<String, JsonNode> e = ev.next();
                        JsonNode p = e.getValue().path("Properties");
                        switch (e.getValue().path("Type").asText()) {
                            case "EventBridgeRule" -> rules.add(new EventSources.Rule(r.getKey(), e.getKey(),
                                    text(p.get("EventBusName"), "default"), p.path("Pattern"),
                                    Integer.parseInt(text(p.path("RetryPolicy").get("MaximumRetryAttempts"), "185")),
                                    queueName(p.path("DeadLetterConfig").get("Arn"))));
                            case "Schedule" -> {
                                if (!"false".equals(text(p.get("Enabled"), "true"))) {
                                    String expr = text(p.get("Schedule"), "");
                                    schedules.add(new EventSources.Schedule(r.getKey(), e.getKey(), expr,
                                            rate(expr)));
                                }
                            }
                            default -> {
                            }
                        }
                    }
                }
                default -> {
                }
            }
        }
        return new EventSources.All(buses, rules, schedules, tables, queues);
    }

    /** How Lambda invokes {@code logicalId} asynchronously (its retries and dead-letter queue). */
    EventSources.AsyncConfig asyncConfig(String logicalId) {
        JsonNode props = root.path("Resources").path(logicalId).path("Properties");
        JsonNode retries = props.path("EventInvokeConfig").get("MaximumRetryAttempts");
        JsonNode dlq = props.path("DeadLetterQueue").get("TargetArn");
        return new EventSources.AsyncConfig(retries == null ? 2 : Integer.parseInt(text(retries, "2")),
                queueName(dlq));
    }

    /** The queue name an ARN (usually {@code Fn::GetAtt [Queue, Arn]}) names, or null. */
    private String queueName(JsonNode arn) {
        if (arn == null || arn.isNull()) {
            return null;
        }
        String v = text(arn, null);
        if (v == null) {
            return null;
        }
        int colon = v.lastIndexOf(':');
        return colon >= 0 ? v.substring(colon + 1) : v;
    }

    /** The period of {@code rate(N unit)}, or null for anything else. */
    static Duration rate(String expression) {
        Matcher m = Pattern.compile("rate\\((\\d+)\\s+(minutes?|hours?|days?)\\)").matcher(expression.strip());
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).charAt(0)) {
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** Reads {@code file}; {@code overrides} replace parameter defaults. References to resources stay unresolved. */
    public static SamTemplate read(Path file, Map<String, String> overrides) throws IOException {
        return read(file, overrides, false);
    }

    /**
     * Reads {@code file}; with {@code resolveResources}, {@code Ref} and {@code Fn::GetAtt ... Arn} of the resources
     * the local run emulates (buses, tables, queues, functions) resolve to their local names, as when the local run
     * stands up those resources; otherwise variables that refer to them are left out.
     */
    public static SamTemplate read(Path file, Map<String, String> overrides, boolean resolveResources)
            throws IOException {
        String text = Files.readString(file);
        Matcher shortTag = Pattern.compile("(?m):\\s+!(Ref|Sub|GetAtt|If|Join|Equals|Not|Select)\\b").matcher(text);
        if (shortTag.find()) {
            throw new IllegalArgumentException(file + " uses the short intrinsic tag !" + shortTag.group(1)
                    + "; write the long form (Ref:, Fn::Sub:, ...) so every YAML reader understands it");
        }
        return new SamTemplate(YAML.readTree(text), overrides, resolveResources);
    }

    /** The template's {@code AWS::Serverless::Function}s, in declaration order. */
    public List<FunctionSpec> functions() {
        JsonNode globals = root.path("Globals").path("Function");
        List<FunctionSpec> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("Resources").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> r = it.next();
            if (!"AWS::Serverless::Function".equals(r.getValue().path("Type").asText())) {
                continue;
            }
            JsonNode props = r.getValue().path("Properties");
            Map<String, String> env = new LinkedHashMap<>();
            putEnv(env, globals.path("Environment").path("Variables"));
            putEnv(env, props.path("Environment").path("Variables"));
            String handler = text(prop(props, globals, "Handler"), null);
            if (handler == null) {
                throw new IllegalArgumentException(r.getKey() + " has no Handler");
            }
            int timeout = Integer.parseInt(text(prop(props, globals, "Timeout"), "3"));
            int memory = Integer.parseInt(text(prop(props, globals, "MemorySize"), "128"));
            String reserved = text(prop(props, globals, "ReservedConcurrentExecutions"), null);
            List<Route> routes = new ArrayList<>();
            for (Iterator<JsonNode> events = props.path("Events").elements(); events.hasNext(); ) {
                JsonNode e = events.next();
                String type = e.path("Type").asText();
                if ("HttpApi".equals(type) || "Api".equals(type)) {
                    boolean streaming = "Api".equals(type) && "RESPONSE_STREAM".equals(
                            text(e.path("Properties").get("ResponseTransferMode"), "BUFFERED"));
                    routes.add(new Route(text(e.path("Properties").get("Method"), "ANY"),
                            text(e.path("Properties").get("Path"), "/"), streaming));
                }
            }
            out.add(new FunctionSpec(r.getKey(), handler, Duration.ofSeconds(timeout), memory,
                    reserved == null ? 1000 : Integer.parseInt(reserved), env, routes));
        }
        return out;
    }

    /**
     * The statements of {@code logicalId}'s inline policies ({@code Policies} entries that are policy documents;
     * managed policy names and SAM policy templates are skipped), with {@code Fn::If} branches chosen and list
     * parameters ({@code CommaDelimitedList}) expanded as a deployment with these parameters would see them.
     */
    public List<PolicyStatement> policyStatements(String logicalId) {
        List<PolicyStatement> out = new ArrayList<>();
        Object policies = resolve(root.path("Resources").path(logicalId).path("Properties").get("Policies"));
        for (Object policy : asList(policies)) {
            if (policy instanceof Map<?, ?> doc && doc.containsKey("Statement")) {
                for (Object st : asList(doc.get("Statement"))) {
                    if (st instanceof Map<?, ?> m) {
                        out.add(new PolicyStatement(String.valueOf(m.get("Effect")), strings(m.get("Action")),
                                strings(m.get("Resource"))));
                    }
                }
            }
        }
        return out;
    }

    private static List<?> asList(Object v) {
        return v instanceof List<?> l ? l : v == null ? List.of() : List.of(v);
    }

    private static List<String> strings(Object v) {
        List<String> out = new ArrayList<>();
        for (Object o : asList(v)) {
            if (o instanceof String s) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * Resolves a node into plain values: a string, a list, a map, null for {@code AWS::NoValue}, or
     * {@link #UNRESOLVED}. Unlike {@link #eval}, lists and maps keep their shape and a {@code Ref} to a
     * {@code CommaDelimitedList} parameter gives a list; unresolvable entries are left out of lists and maps.
     */
    private Object resolve(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isArray()) {
            List<Object> out = new ArrayList<>();
            for (JsonNode e : n) {
                Object v = resolve(e);
                if (v != null && v != UNRESOLVED) {
                    out.add(v);
                }
            }
            return out;
        }
        if (!n.isObject()) {
            return eval(n);
        }
        if (n.size() == 1) {
            Map.Entry<String, JsonNode> f = n.fields().next();
            String name = f.getKey();
            if (name.equals("Ref") && "CommaDelimitedList".equals(
                    root.path("Parameters").path(f.getValue().asText()).path("Type").asText())) {
                String value = parameters.get(f.getValue().asText());
                if (value == null) {
                    return UNRESOLVED;
                }
                List<Object> out = new ArrayList<>();
                for (String part : value.split(",", -1)) {
                    out.add(part.strip());
                }
                return out;
            }
            if (name.equals("Fn::If")) {
                Object cond = condition(f.getValue().get(0).asText());
                return cond instanceof Boolean b ? resolve(f.getValue().get(b ? 1 : 2)) : UNRESOLVED;
            }
            if (name.equals("Ref") || name.equals("Condition") || name.startsWith("Fn::")) {
                return eval(n);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Object v = resolve(e.getValue());
            if (v != null && v != UNRESOLVED) {
                out.put(e.getKey(), v);
            }
        }
        return out;
    }

    private static JsonNode prop(JsonNode props, JsonNode globals, String name) {
        JsonNode v = props.get(name);
        return v != null ? v : globals.get(name);
    }

    private void putEnv(Map<String, String> env, JsonNode vars) {
        for (Iterator<Map.Entry<String, JsonNode>> it = vars.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> v = it.next();
            Object value = eval(v.getValue());
            if (value != UNRESOLVED && value != null) {
                env.put(v.getKey(), value.toString());
            } else {
                env.remove(v.getKey());
            }
        }
    }

    private String text(JsonNode node, String fallback) {
        if (node == null || node.isNull()) {
            return fallback;
        }
        Object v = eval(node);
        return v == UNRESOLVED || v == null ? fallback : v.toString();
    }

    /** Evaluates a value: a scalar, or an intrinsic function. Returns {@link #UNRESOLVED} when it cannot. */
    private Object eval(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isValueNode()) {
            return n.isBoolean() ? Boolean.toString(n.booleanValue()) : n.asText();
        }
        if (n.isObject() && n.size() == 1) {
            Map.Entry<String, JsonNode> f = n.fields().next();
            JsonNode a = f.getValue();
            switch (f.getKey()) {
                case "Ref" -> {
                    if (a.asText().equals("AWS::NoValue")) {
                        return null;
                    }
                    String p = parameters.get(a.asText());
                    if (p == null && resolveResources) {
                        p = physical.get(a.asText());
                    }
                    return p == null ? UNRESOLVED : p;
                }
                case "Fn::GetAtt" -> {
                    String[] parts = a.isArray() ? new String[] {a.path(0).asText(), a.path(1).asText()}
                            : a.asText().split("\\.", 2);
                    String arn = resolveResources && parts.length == 2 && parts[1].equals("Arn") ? arns.get(parts[0])
                            : null;
                    return arn == null ? UNRESOLVED : arn;
                }
                case "Fn::Sub" -> {
                    String template = a.isArray() ? a.get(0).asText() : a.asText();
                    Matcher m = SUB.matcher(template);
                    StringBuilder sb = new StringBuilder();
                    while (m.find()) {
                        String p = parameters.get(m.group(1));
                        if (p == null && resolveResources) {
                            p = physical.get(m.group(1));
                        }
                        if (p == null) {
                            return UNRESOLVED;
                        }
                        m.appendReplacement(sb, Matcher.quoteReplacement(p));
                    }
                    m.appendTail(sb);
                    return sb.toString();
                }
                case "Fn::Join" -> {
                    StringBuilder sb = new StringBuilder();
                    String sep = a.get(0).asText();
                    if (!a.get(1).isArray()) {
                        // a list parameter (CommaDelimitedList): its value is already the comma-joined text
                        Object list = eval(a.get(1));
                        return list == UNRESOLVED ? UNRESOLVED : String.join(sep, String.valueOf(list).split(","));
                    }
                    for (int i = 0; i < a.get(1).size(); i++) {
                        Object part = eval(a.get(1).get(i));
                        if (part == UNRESOLVED) {
                            return UNRESOLVED;
                        }
                        sb.append(i > 0 ? sep : "").append(part == null ? "" : part);
                    }
                    return sb.toString();
                }
                case "Fn::If" -> {
                    Object cond = condition(a.get(0).asText());
                    if (cond == UNRESOLVED) {
                        return UNRESOLVED;
                    }
                    return eval(a.get((Boolean) cond ? 1 : 2));
                }
                case "Fn::Equals" -> {
                    Object l = eval(a.get(0));
                    Object r = eval(a.get(1));
                    return l == UNRESOLVED || r == UNRESOLVED ? UNRESOLVED : String.valueOf(l).equals(String.valueOf(r));
                }
                case "Fn::Not" -> {
                    Object v = eval(a.get(0));
                    return v instanceof Boolean b ? !b : UNRESOLVED;
                }
                case "Fn::And", "Fn::Or" -> {
                    boolean and = f.getKey().equals("Fn::And");
                    boolean acc = and;
                    for (JsonNode c : a) {
                        Object v = eval(c);
                        if (!(v instanceof Boolean b)) {
                            return UNRESOLVED;
                        }
                        acc = and ? acc && b : acc || b;
                    }
                    return acc;
                }
                case "Condition" -> {
                    return condition(a.asText());
                }
                default -> {
                    return UNRESOLVED;
                }
            }
        }
        return UNRESOLVED;
    }

    private Object condition(String name) {
        JsonNode c = root.path("Conditions").get(name);
        return c == null ? UNRESOLVED : eval(c);
    }
}
