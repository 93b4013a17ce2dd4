package io.switchboard.shared.json;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.embeddings.Embedding;
import io.switchboard.shared.embeddings.EmbeddingRequest;
import io.switchboard.shared.embeddings.EmbeddingResponse;
import io.switchboard.shared.embeddings.EncodingFormat;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenAI's embeddings wire format: the request as an OpenAI-compatible provider receives it, the answer as the caller
 * receives it (vectors as JSON numbers or as base64 of little-endian float32), and a provider's answer read in either
 * encoding. Streaming readers and writers, no intermediate trees for the vectors.
 */
public final class EmbeddingJson {
    /**
     * The JDK's codecs (intrinsified): standard alphabet, one line; padding written, and optional when read. They are
     * several times faster than Jackson's own base64 on vectors of kilobytes.
     */
    private static final Base64.Encoder BASE64_ENCODER = Base64.getEncoder();
    private static final Base64.Decoder BASE64_DECODER = Base64.getDecoder();
    /** Reads one value of a parser that goes on afterwards. */
    private static final ObjectReader TREE = Json.MAPPER.readerFor(JsonNode.class)
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final VarHandle FLOAT_LE = MethodHandles.byteArrayViewVarHandle(float[].class,
            ByteOrder.LITTLE_ENDIAN);

    private EmbeddingJson() {
    }

    /**
     * The request as an OpenAI-compatible provider receives it: every field the caller sent (unknown ones included,
     * {@code input} and {@code encoding_format} exactly as sent), {@code model} replaced by the provider's id.
     */
    public static byte[] writeRequest(EmbeddingRequest r, String providerModel) {
        return Json.write(256, g -> {
            g.writeStartObject();
            g.writeStringField("model", providerModel);
            g.writeFieldName("input");
            g.writeTree(r.input().json());
            if (r.encodingFormat() != null) {
                g.writeStringField("encoding_format", r.encodingFormat().wire());
            }
            if (r.dimensions() != null) {
                g.writeNumberField("dimensions", r.dimensions());
            }
            if (r.user() != null) {
                g.writeStringField("user", r.user());
            }
            for (Map.Entry<String, JsonNode> e : r.extensions().entrySet()) {
                g.writeFieldName(e.getKey());
                g.writeTree(e.getValue());
            }
            g.writeEndObject();
        });
    }

    /** The answer's length in bytes, at least: what a writer can check against a limit before writing. */
    public static long minimumSize(EmbeddingResponse r, EncodingFormat format) {
        long values = 0;
        for (Embedding e : r.data()) {
            values += e.dimensions();
        }
        // base64: 4 bytes a value, 4 characters per 3 bytes; numbers: at least one digit and a comma each
        return format == EncodingFormat.BASE64 ? (values * 4 + 2) / 3 * 4 : values * 2;
    }

    /** OpenAI's {@code list} object for {@code r}, vectors in {@code format}. */
    public static byte[] writeResponse(EmbeddingResponse r, EncodingFormat format) {
        int hint = (int) Math.min(1 << 24, minimumSize(r, format) * (format == EncodingFormat.FLOAT ? 6 : 1)
                + 64L * r.data().size() + 160);
        return Json.write(hint, g -> {
            g.writeStartObject();
            g.writeStringField("object", EmbeddingResponse.OBJECT);
            g.writeArrayFieldStart("data");
            byte[] buffer = null;
            byte[] text = null;
            for (Embedding e : r.data()) {
                g.writeStartObject();
                g.writeStringField("object", "embedding");
                g.writeNumberField("index", e.index());
                g.writeFieldName("embedding");
                if (format == EncodingFormat.BASE64) {
                    int n = e.dimensions() * 4;
                    if (buffer == null || buffer.length < n) {
                        buffer = new byte[n];
                    }
                    for (int i = 0; i < e.dimensions(); i++) {
                        FLOAT_LE.set(buffer, i * 4, e.get(i));
                    }
                    int chars = (n + 2) / 3 * 4;
                    if (text == null || text.length < chars) {
                        text = new byte[chars];
                    }
                    int written = BASE64_ENCODER.encode(n == buffer.length ? buffer : Arrays.copyOf(buffer, n), text);
                    g.writeRawUTF8String(text, 0, written); // base64 needs no escaping
                } else {
                    writeFloats(g, e);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("model", r.model());
            g.writeObjectFieldStart("usage");
            g.writeNumberField("prompt_tokens", r.promptTokens());
            g.writeNumberField("total_tokens", r.totalTokens());
            g.writeEndObject();
            for (Map.Entry<String, JsonNode> x : r.extensions().entrySet()) {
                g.writeFieldName(x.getKey());
                g.writeTree(x.getValue());
            }
            g.writeEndObject();
        });
    }

    private static void writeFloats(JsonGenerator g, Embedding e) throws IOException {
        g.writeStartArray(null, e.dimensions());
        for (int i = 0; i < e.dimensions(); i++) {
            g.writeNumber(e.get(i)); // the shortest decimal that reads back as the same float32
        }
        g.writeEndArray();
    }

    /**
     * Reads an embeddings answer ({@code CreateEmbeddingResponse}) whose vectors are JSON numbers or base64 strings.
     * Anything that is not that shape, or a vector value that is not a finite float32, is
     * {@link ErrorKind#UPSTREAM_INVALID_RESPONSE}. Top-level fields the gateway does not interpret are kept.
     *
     * @param body the answer
     * @param fallbackModel the model to name when the answer names none
     */
    public static EmbeddingResponse readResponse(byte[] body, String fallbackModel) {
        try (JsonParser p = Json.MAPPER.getFactory().createParser(body)) {
            p.enable(JsonParser.Feature.USE_FAST_DOUBLE_PARSER); // thousands of numbers per answer
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw invalid("is not a JSON object");
            }
            String model = null;
            List<Embedding> data = null;
            int[] usage = {-1, -1};
            Map<String, JsonNode> extensions = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "object" -> p.skipChildren();
                    case "model" -> {
                        model = t == JsonToken.VALUE_STRING ? p.getText() : null;
                        p.skipChildren();
                    }
                    case "data" -> data = data(p, t);
                    case "usage" -> usage(p, t, usage);
                    default -> {
                        if (extensions == null) {
                            extensions = new HashMap<>();
                        }
                        extensions.put(name, TREE.readValue(p));
                    }
                }
            }
            if (p.nextToken() != null) {
                throw invalid("has content after its JSON object");
            }
            if (data == null) {
                throw invalid("has no 'data' array");
            }
            int prompt = Math.max(0, usage[0]);
            int total = usage[1] >= 0 ? usage[1] : prompt;
            return new EmbeddingResponse(model != null ? model : fallbackModel, data, prompt, total, extensions);
        } catch (JacksonException e) {
            throw invalid("is not valid JSON").withCause(e);
        } catch (IOException e) {
            throw invalid("could not be read").withCause(e);
        }
    }

    private static List<Embedding> data(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            throw invalid("has no 'data' array");
        }
        List<Embedding> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw invalid("has an item in 'data' that is not an object");
            }
            int index = out.size();
            float[] vector = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "index" -> {
                        if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT
                                || p.getIntValue() < 0) {
                            throw invalid("has an embedding whose 'index' is not a non-negative integer");
                        }
                        index = p.getIntValue();
                    }
                    case "embedding" -> vector = v == JsonToken.VALUE_STRING ? base64(p) : numbers(p, v);
                    default -> p.skipChildren();
                }
            }
            if (vector == null) {
                throw invalid("has an item in 'data' without an 'embedding'");
            }
            out.add(Embedding.of(index, vector));
        }
        return out;
    }

    private static float[] numbers(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            throw invalid("has an 'embedding' that is neither an array of numbers nor a base64 string");
        }
        float[] values = new float[256];
        int n = 0;
        JsonToken v;
        while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
            if (v != JsonToken.VALUE_NUMBER_FLOAT && v != JsonToken.VALUE_NUMBER_INT) {
                throw invalid("has an 'embedding' value that is not a number");
            }
            float f = p.getFloatValue();
            if (!Float.isFinite(f)) {
                throw invalid("has an 'embedding' value beyond float32");
            }
            if (n == values.length) {
                values = Arrays.copyOf(values, n * 2);
            }
            values[n++] = f;
        }
        return n == values.length ? values : Arrays.copyOf(values, n);
    }

    private static float[] base64(JsonParser p) throws IOException {
        byte[] bytes;
        try {
            bytes = BASE64_DECODER.decode(p.getText());
        } catch (IllegalArgumentException e) {
            throw invalid("has an 'embedding' string that is not base64").withCause(e);
        }
        if (bytes.length % 4 != 0) {
            throw invalid("has a base64 'embedding' that is not whole float32 values");
        }
        float[] values = new float[bytes.length / 4];
        for (int i = 0; i < values.length; i++) {
            float f = (float) FLOAT_LE.get(bytes, i * 4);
            if (!Float.isFinite(f)) {
                throw invalid("has an 'embedding' value that is not a finite float32");
            }
            values[i] = f;
        }
        return values;
    }

    private static void usage(JsonParser p, JsonToken t, int[] usage) throws IOException {
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            int slot = name.equals("prompt_tokens") ? 0 : name.equals("total_tokens") ? 1 : -1;
            if (slot >= 0 && v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
                usage[slot] = Math.max(0, p.getIntValue());
            } else {
                p.skipChildren();
            }
        }
    }

    private static GatewayException invalid(String what) {
        return GatewayException.of(ErrorKind.UPSTREAM_INVALID_RESPONSE,
                "The provider's embeddings answer " + what + ".");
    }
}
