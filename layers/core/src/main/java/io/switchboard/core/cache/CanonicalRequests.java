package io.switchboard.core.cache;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.auth.Sha256;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatMessage;
import io.switchboard.shared.chat.ChatRequest;
import io.switchboard.shared.embeddings.EmbeddingInput;
import io.switchboard.shared.embeddings.EmbeddingRequest;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The canonical form of a request, hashed: everything that can change the output (provider, provider model id,
 * messages, every generation parameter, unknown fields too) written as JSON with object keys sorted at every depth
 * and numbers in one spelling ({@code 1}, {@code 1.0} and {@code 1e0} are the same), so key order, whitespace and
 * number formatting of the body never change the key. Fields that cannot change the output are left out:
 * {@code stream}, {@code stream_options} (a cached answer serves both forms), {@code user}, {@code metadata},
 * {@code store}.
 *
 * <p>An embeddings request has a canonical form of its own: provider, provider model id, the input items (one string
 * and an array of one string are the same input, as are one token array and an array of it), {@code dimensions} and
 * unknown fields; not {@code encoding_format} (the gateway writes either encoding from the same vectors) nor
 * {@code user}. Its bytes begin with {@code embeddings\n}, which no chat form begins with (a chat form is a JSON
 * object, whose first byte is a brace): the two digest domains are disjoint, and an embeddings entry can never answer a
 * chat request or the reverse.
 */
public final class CanonicalRequests {
    private static final Set<String> IGNORED = Set.of("user", "metadata", "store", "stream", "stream_options");

    private CanonicalRequests() {
    }

    /** The first bytes of every embeddings canonical form: its domain, apart from chat's. */
    static final String EMBEDDINGS_DOMAIN = "embeddings\n";
    private static final Set<String> EMBEDDINGS_IGNORED = Set.of("user");

    /** SHA-256 (hex) of the canonical form of {@code request} sent to {@code provider}/{@code model}. */
    public static String digest(String provider, String model, ChatRequest request) {
        return sha256(canonical(provider, model, request));
    }

    /** SHA-256 (hex) of the canonical form of the embeddings {@code request} sent to {@code provider}/{@code model}. */
    public static String digest(String provider, String model, EmbeddingRequest request) {
        return sha256(canonical(provider, model, request));
    }

    private static String sha256(byte[] canonical) {
        return HexFormat.of().formatHex(Sha256.digest(canonical));
    }

    /** The canonical bytes of an embeddings request (exposed for tests and diagnosis). */
    public static byte[] canonical(String provider, String model, EmbeddingRequest r) {
        EmbeddingInput input = r.input();
        try (ByteArrayBuilder out = new ByteArrayBuilder(256 + input.json().size() * 16)) {
            for (int i = 0; i < EMBEDDINGS_DOMAIN.length(); i++) {
                out.append(EMBEDDINGS_DOMAIN.charAt(i));
            }
            try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
                TreeMap<String, Object> top = new TreeMap<>();
                top.put("_provider", provider);
                top.put("_model", model);
                TreeMap<String, Object> in = new TreeMap<>();
                in.put("kind", input.isTokens() ? "tokens" : "text");
                boolean single = input.kind() == EmbeddingInput.Kind.TEXT || input.kind() == EmbeddingInput.Kind.TOKENS;
                in.put("items", single ? List.of(input.json()) : input.json());
                top.put("input", in);
                top.put("dimensions", r.dimensions());
                for (Map.Entry<String, JsonNode> e : r.extensions().entrySet()) {
                    if (!EMBEDDINGS_IGNORED.contains(e.getKey())) {
                        top.put(e.getKey(), e.getValue());
                    }
                }
                write(g, top);
                g.flush();
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The canonical bytes (exposed for tests and diagnosis). */
    public static byte[] canonical(String provider, String model, ChatRequest r) {
        try (ByteArrayBuilder out = new ByteArrayBuilder(512);
             JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            TreeMap<String, Object> top = new TreeMap<>();
            top.put("_provider", provider);
            top.put("_model", model);
            List<Object> messages = new ArrayList<>(r.messages().size());
            for (ChatMessage m : r.messages()) {
                TreeMap<String, Object> msg = new TreeMap<>();
                msg.put("role", m.role().wire());
                msg.put("content", m.content());
                msg.put("name", m.name());
                msg.put("tool_call_id", m.toolCallId());
                msg.put("tool_calls", m.toolCalls());
                msg.putAll(m.extensions());
                messages.add(msg);
            }
            top.put("messages", messages);
            top.put("temperature", r.temperature());
            top.put("top_p", r.topP());
            top.put("max_tokens", r.tokenLimit());
            top.put("stop", r.stop().isEmpty() ? null : r.stop());
            top.put("n", r.choices());
            top.put("seed", r.seed());
            top.put("response_format", r.responseFormat());
            top.put("tools", r.tools());
            top.put("tool_choice", r.toolChoice());
            for (Map.Entry<String, JsonNode> e : r.extensions().entrySet()) {
                if (!IGNORED.contains(e.getKey())) {
                    top.put(e.getKey(), e.getValue());
                }
            }
            write(g, top);
            g.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof JsonNode n) {
            writeNode(g, n);
        } else if (v instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                Object value = e.getValue();
                if (value == null || (value instanceof JsonNode n && n.isNull())) {
                    continue; // absent and null mean the same
                }
                g.writeFieldName((String) e.getKey());
                write(g, value);
            }
            g.writeEndObject();
        } else if (v instanceof List<?> list) {
            g.writeStartArray();
            for (Object o : list) {
                write(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof Number num) {
            g.writeNumber(canonicalNumber(new BigDecimal(num.toString())));
        } else {
            g.writeString(v.toString());
        }
    }

    private static void writeNode(JsonGenerator g, JsonNode n) throws IOException {
        if (n.isObject()) {
            TreeMap<String, JsonNode> sorted = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                sorted.put(e.getKey(), e.getValue());
            }
            g.writeStartObject();
            for (Map.Entry<String, JsonNode> e : sorted.entrySet()) {
                if (!e.getValue().isNull()) {
                    g.writeFieldName(e.getKey());
                    writeNode(g, e.getValue());
                }
            }
            g.writeEndObject();
        } else if (n.isArray()) {
            g.writeStartArray();
            for (JsonNode e : n) {
                writeNode(g, e);
            }
            g.writeEndArray();
        } else if (n.isIntegralNumber() && n.canConvertToLong()) {
            g.writeNumber(n.longValue()); // what canonicalNumber spells an integer, without a BigDecimal
        } else if (n.isNumber()) {
            if ((n.isDouble() || n.isFloat()) && !Double.isFinite(n.doubleValue())) {
                // e.g. 1e400: Jackson reads it as Infinity, which has no decimal spelling (a fuzz crasher, was a 500)
                throw GatewayException.of(ErrorKind.INVALID_REQUEST,
                        "A number in the request is out of range (beyond a 64-bit float).");
            }
            g.writeNumber(canonicalNumber(n.decimalValue()));
        } else if (n.isTextual()) {
            g.writeString(n.textValue());
        } else if (n.isBoolean()) {
            g.writeBoolean(n.booleanValue());
        } else {
            g.writeNull();
        }
    }

    private static String canonicalNumber(BigDecimal d) {
        return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
    }
}
