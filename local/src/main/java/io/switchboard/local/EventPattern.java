package io.switchboard.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * EventBridge's event pattern matching, for the local bus: every field of the pattern must match the event's field
 * of the same name (nested objects recursively; {@code $or} of sub-patterns); a field's pattern is an array of
 * alternatives, any of which may match any of the event value's elements. Alternatives: exact values (string,
 * number compared numerically, {@code null}), {@code prefix}, {@code suffix}, {@code equals-ignore-case},
 * {@code anything-but} (a value, a list, or a {@code prefix}/{@code suffix}/{@code equals-ignore-case}),
 * {@code numeric} ranges, {@code exists}, and {@code wildcard} ({@code *} only).
 */
final class EventPattern {
    private EventPattern() {
    }

    /** Whether {@code event} matches {@code pattern}. */
    static boolean matches(JsonNode pattern, JsonNode event) {
        return pattern == null || pattern.isMissingNode() || matchObject(pattern, event);
    }

    private static boolean matchObject(JsonNode pattern, JsonNode event) {
        for (Iterator<Map.Entry<String, JsonNode>> it = pattern.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode p = f.getValue();
            if (f.getKey().equals("$or")) {
                boolean any = false;
                for (JsonNode alternative : p) {
                    any = any || matchObject(alternative, event);
                }
                if (!any) {
                    return false;
                }
                continue;
            }
            JsonNode value = event == null || !event.isObject() ? null : event.get(f.getKey());
            if (p.isObject()) {
                if (value == null || !value.isObject() || !matchObject(p, value)) {
                    return false;
                }
            } else if (!matchField(p.isArray() ? p : arrayOf(p), value)) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode arrayOf(JsonNode p) {
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode().add(p);
    }

    private static boolean matchField(JsonNode alternatives, JsonNode value) {
        for (JsonNode m : alternatives) {
            if (m.isObject() && m.has("exists")) {
                if (m.get("exists").asBoolean() == (value != null)) {
                    return true;
                }
                continue;
            }
            if (value == null) {
                continue;
            }
            if (value.isArray()) {
                for (JsonNode v : value) {
                    if (matchOne(m, v)) {
                        return true;
                    }
                }
            } else if (matchOne(m, value)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchOne(JsonNode m, JsonNode v) {
        if (!m.isObject()) {
            return literal(m, v);
        }
        if (m.has("prefix")) {
            return text(v) != null && affix(m.get("prefix"), text(v), true);
        }
        if (m.has("suffix")) {
            return text(v) != null && affix(m.get("suffix"), text(v), false);
        }
        if (m.has("equals-ignore-case")) {
            return text(v) != null && text(v).equalsIgnoreCase(m.get("equals-ignore-case").asText());
        }
        if (m.has("wildcard")) {
            return text(v) != null && wildcard(m.get("wildcard").asText(), text(v));
        }
        if (m.has("numeric")) {
            return v.isNumber() && numeric(m.get("numeric"), v.decimalValue());
        }
        if (m.has("anything-but")) {
            JsonNode but = m.get("anything-but");
            if (but.isArray()) {
                for (JsonNode b : but) {
                    if (literal(b, v)) {
                        return false;
                    }
                }
                return true;
            }
            if (but.isObject()) {
                return !matchOne(but, v);
            }
            return !literal(but, v);
        }
        return false;
    }

    private static boolean affix(JsonNode spec, String s, boolean prefix) {
        if (spec.isObject() && spec.has("equals-ignore-case")) {
            String a = spec.get("equals-ignore-case").asText().toLowerCase(Locale.ROOT);
            String l = s.toLowerCase(Locale.ROOT);
            return prefix ? l.startsWith(a) : l.endsWith(a);
        }
        return prefix ? s.startsWith(spec.asText()) : s.endsWith(spec.asText());
    }

    private static boolean wildcard(String pattern, String s) {
        String[] parts = pattern.split("\\*", -1);
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                re.append(".*");
            }
            re.append(java.util.regex.Pattern.quote(parts[i]));
        }
        return s.matches(re.toString());
    }

    private static boolean numeric(JsonNode spec, BigDecimal v) {
        for (int i = 0; i + 1 < spec.size(); i += 2) {
            String op = spec.get(i).asText();
            BigDecimal bound = spec.get(i + 1).decimalValue();
            int c = v.compareTo(bound);
            boolean ok = switch (op) {
                case "=" -> c == 0;
                case "<" -> c < 0;
                case "<=" -> c <= 0;
                case ">" -> c > 0;
                case ">=" -> c >= 0;
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean literal(JsonNode m, JsonNode v) {
        if (m.isNull()) {
            return v.isNull();
        }
        if (m.isNumber()) {
            return v.isNumber() && m.decimalValue().compareTo(v.decimalValue()) == 0;
        }
        return v.isTextual() && v.textValue().equals(m.asText()) || (v.isBoolean() && m.isBoolean()
                && v.booleanValue() == m.booleanValue());
    }

    private static String text(JsonNode v) {
        return v != null && v.isTextual() ? v.textValue() : null;
    }
}
