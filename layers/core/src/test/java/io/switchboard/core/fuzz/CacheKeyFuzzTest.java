package io.switchboard.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.core.cache.CanonicalRequests;
import io.switchboard.shared.chat.ChatRequest;
import io.switchboard.shared.json.ChatRequestReader;
import io.switchboard.shared.json.Json;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target of the cache key ({@link CanonicalRequests}): same meaning ⇔ same key. A random chat request is
 * written twice with different spellings (key order at every depth, whitespace, string escapes such as
 * {@code \u00e9} and {@code \/}, number spellings such as {@code 1}, {@code 1.0}, {@code 1e0}, and the fields
 * documented as not changing the output: {@code user}, {@code metadata}, {@code stream}); both give one key. The
 * same request with one meaningful value changed (a prompt character, the temperature, the model, an unknown
 * field's value) gives another key.
 */
class CacheKeyFuzzTest {
    private static final String[] CHARS = {"a", "b", " ", "é", "─", "😀", "\"", "\\", "/", "\n", "\t", "\u0000", "<",
            "\u2028", "\uFFFD"};

    private static final java.util.Set<String> INTEGER_FIELDS = java.util.Set.of("max_tokens", "seed", "n");

    record Case(ObjectNode request, long seed) {
    }

    @Test
    void sameMeaningSameKeyChangedValueOtherKey() {
        Fuzz.run("cache-key", r -> new Case(request(r), r.nextLong()), c -> {
            Random r = new Random(c.seed());
            ObjectNode a = c.request().deepCopy();
            ObjectNode b = c.request().deepCopy();
            ignoredFields(r, a);
            ignoredFields(r, b);
            String ka = key(spell(r, a));
            String kb = key(spell(r, b));
            String sa = spell(new Random(c.seed()), a);
            assertEquals(ka, kb, () -> "same meaning, two keys: " + canonical(sa) + " / " + canonical(spell(r, b)));
            ObjectNode changed = c.request().deepCopy();
            change(r, changed);
            assertNotEquals(ka, key(spell(r, changed)), () -> "changed value, same key: " + a + " / " + changed);
        });
    }

    private static String canonical(String body) {
        ChatRequest req = ChatRequestReader.read(body.getBytes(StandardCharsets.UTF_8));
        return new String(CanonicalRequests.canonical("p", req.model(), req), StandardCharsets.UTF_8);
    }

    private static String key(String body) {
        ChatRequest req = ChatRequestReader.read(body.getBytes(StandardCharsets.UTF_8));
        return CanonicalRequests.digest("p", req.model(), req);
    }

    static ObjectNode request(Random r) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("model", "m" + r.nextInt(3));
        ArrayNode messages = o.putArray("messages");
        for (int i = 1 + r.nextInt(3); i > 0; i--) {
            ObjectNode m = messages.addObject();
            m.put("role", List.of("user", "system", "assistant").get(r.nextInt(3)));
            m.put("content", text(r));
        }
        if (r.nextBoolean()) {
            o.put("temperature", new BigDecimal(r.nextInt(200)).movePointLeft(2));
        }
        if (r.nextBoolean()) {
            o.put("max_tokens", 1 + r.nextInt(500));
        }
        if (r.nextBoolean()) {
            o.put("seed", r.nextInt(1000));
        }
        if (r.nextBoolean()) {
            ArrayNode stop = o.putArray("stop");
            stop.add(text(r) + "s");
        }
        if (r.nextBoolean()) {
            ObjectNode x = o.putObject("x_vendor");
            x.put("b", r.nextInt(10));
            x.put("a", text(r));
            x.putArray("c").add(1).add("two");
        }
        return o;
    }

    private static String text(Random r) {
        StringBuilder b = new StringBuilder();
        for (int i = r.nextInt(12); i > 0; i--) {
            b.append(CHARS[r.nextInt(CHARS.length)]);
        }
        return b.toString();
    }

    private static void ignoredFields(Random r, ObjectNode o) {
        if (r.nextBoolean()) {
            o.put("user", "user-" + r.nextInt(100));
        }
        if (r.nextBoolean()) {
            o.putObject("metadata").put("k", "v" + r.nextInt(100));
        }
        if (r.nextBoolean()) {
            o.put("stream", false);
        }
    }

    private static void change(Random r, ObjectNode o) {
        switch (r.nextInt(4)) {
            case 0 -> {
                ObjectNode m = (ObjectNode) o.get("messages").get(r.nextInt(o.get("messages").size()));
                m.put("content", m.get("content").asText() + "x");
            }
            case 1 -> o.put("temperature", o.has("temperature")
                    ? o.get("temperature").decimalValue().add(new BigDecimal("0.01")).min(new BigDecimal(2))
                            .compareTo(o.get("temperature").decimalValue()) == 0 ? new BigDecimal("1.5")
                            : o.get("temperature").decimalValue().add(new BigDecimal("0.01")) : new BigDecimal("0.7"));
            case 2 -> o.put("model", o.get("model").asText() + "x");
            default -> o.putObject("x_other").put("v", r.nextInt());
        }
    }

    /** {@code n} written with random key order, whitespace, escapes and number spellings. */
    static String spell(Random r, JsonNode n) {
        StringBuilder b = new StringBuilder();
        write(r, n, b);
        return b.toString();
    }

    private static void ws(Random r, StringBuilder b) {
        switch (r.nextInt(6)) {
            case 0 -> b.append(' ');
            case 1 -> b.append("\n  ");
            case 2 -> b.append("\t\r\n");
            default -> {
            }
        }
    }

    private static void write(Random r, JsonNode n, StringBuilder b) {
        ws(r, b);
        if (n.isObject()) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                fields.add(it.next());
            }
            Collections.shuffle(fields, r);
            b.append('{');
            for (int i = 0; i < fields.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                ws(r, b);
                string(r, fields.get(i).getKey(), b);
                ws(r, b);
                b.append(':');
                JsonNode v = fields.get(i).getValue();
                if (v.isIntegralNumber() && INTEGER_FIELDS.contains(fields.get(i).getKey())) {
                    b.append(v.asText()); // the reader takes only an integer's plain spelling here
                } else {
                    write(r, v, b);
                }
            }
            ws(r, b);
            b.append('}');
        } else if (n.isArray()) {
            b.append('[');
            for (int i = 0; i < n.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                write(r, n.get(i), b);
            }
            ws(r, b);
            b.append(']');
        } else if (n.isTextual()) {
            string(r, n.textValue(), b);
        } else if (n.isNumber()) {
            BigDecimal d = n.decimalValue();
            switch (r.nextInt(4)) {
                case 0 -> b.append(d.toPlainString());
                case 1 -> {
                    BigDecimal stripped = d.stripTrailingZeros();
                    b.append(stripped.toPlainString()).append(stripped.scale() <= 0 ? ".0" : "0");
                }
                case 2 -> b.append(d.unscaledValue()).append("e").append(-d.scale());
                default -> b.append(d.stripTrailingZeros().toString().replace("E+", "e"));
            }
        } else {
            b.append(n.toString());
        }
        ws(r, b);
    }

    private static void string(Random r, String s, StringBuilder b) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append(r.nextBoolean() ? "\\" + c : String.format("\\u%04x", (int) c));
            } else if (c < 0x20) {
                b.append(String.format(r.nextBoolean() ? "\\u%04x" : "\\u%04X", (int) c));
            } else if (c == '/' && r.nextBoolean()) {
                b.append("\\/");
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && r.nextBoolean()) {
                b.append(String.format("\\u%04x\\u%04X", (int) c, (int) s.charAt(++i))); // both halves
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                b.append(c).append(s.charAt(++i));
            } else if (c > 0x7f && r.nextBoolean()) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }
}
