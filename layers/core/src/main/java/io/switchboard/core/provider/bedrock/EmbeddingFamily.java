package io.switchboard.core.provider.bedrock;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.embeddings.EmbeddingRequest;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The Bedrock embedding models the gateway speaks to through InvokeModel, each with its own body: how OpenAI's
 * {@code POST /v1/embeddings} maps onto it ({@code input} texts, {@code dimensions}, the extensions
 * {@code input_type}, {@code truncate}, {@code normalize}), how many texts one call takes, and where the vectors and
 * the token count are in its answer. A family is recognised from the model id, inference profile id or ARN.
 */
enum EmbeddingFamily {
    /** Amazon Titan Text Embeddings V2: one text per call; {@code dimensions} 256, 512 or 1024; normalised. */
    TITAN_TEXT_V2(1, Set.of(256, 512, 1024), null) {
        @Override
        ObjectNode body(List<String> texts, EmbeddingRequest r) {
            ObjectNode b = Json.MAPPER.createObjectNode().put("inputText", texts.get(0));
            if (r.dimensions() != null) {
                b.put("dimensions", r.dimensions());
            }
            JsonNode normalize = r.extensions().get("normalize");
            b.put("normalize", normalize == null || !normalize.isBoolean() || normalize.booleanValue());
            return b;
        }
    },
    /** Amazon Titan Embeddings G1 – Text: one text per call, 1536 values, no options. */
    TITAN_TEXT_V1(1, Set.of(), 1536) {
        @Override
        ObjectNode body(List<String> texts, EmbeddingRequest r) {
            return Json.MAPPER.createObjectNode().put("inputText", texts.get(0));
        }
    },
    /** Amazon Titan Multimodal Embeddings G1, text input: one text per call; {@code dimensions} 256, 384 or 1024. */
    TITAN_MULTIMODAL(1, Set.of(256, 384, 1024), null) {
        @Override
        ObjectNode body(List<String> texts, EmbeddingRequest r) {
            ObjectNode b = Json.MAPPER.createObjectNode().put("inputText", texts.get(0));
            if (r.dimensions() != null) {
                b.putObject("embeddingConfig").put("outputEmbeddingLength", r.dimensions());
            }
            return b;
        }
    },
    /** Cohere Embed v3 (English, Multilingual): up to 96 texts per call, 1024 values. */
    COHERE_V3(96, Set.of(), 1024) {
        @Override
        ObjectNode body(List<String> texts, EmbeddingRequest r) {
            return cohere(texts, r);
        }
    },
    /** Cohere Embed v4: up to 96 texts per call; {@code dimensions} 256, 512, 1024 or 1536. */
    COHERE_V4(96, Set.of(256, 512, 1024, 1536), null) {
        @Override
        ObjectNode body(List<String> texts, EmbeddingRequest r) {
            ObjectNode b = cohere(texts, r);
            b.putArray("embedding_types").add("float");
            if (r.dimensions() != null) {
                b.put("output_dimension", r.dimensions());
            }
            return b;
        }
    };

    /** Cohere's {@code input_type} when the request names none: what a vector store indexes. */
    static final String DEFAULT_INPUT_TYPE = "search_document";

    private final int batch;
    private final Set<Integer> dimensions;
    private final Integer fixedDimensions;

    EmbeddingFamily(int batch, Set<Integer> dimensions, Integer fixedDimensions) {
        this.batch = batch;
        this.dimensions = dimensions;
        this.fixedDimensions = fixedDimensions;
    }

    /** The family of {@code modelId} (a model id, inference profile id or ARN), or null for a model it is not. */
    static EmbeddingFamily of(String modelId) {
        String id = modelId.toLowerCase(Locale.ROOT);
        if (id.contains("titan-embed-text-v2")) {
            return TITAN_TEXT_V2;
        }
        if (id.contains("titan-embed-text-v1") || id.contains("titan-embed-g1-text")) {
            return TITAN_TEXT_V1;
        }
        if (id.contains("titan-embed-image")) {
            return TITAN_MULTIMODAL;
        }
        if (id.contains("cohere.embed-v4")) {
            return COHERE_V4;
        }
        if (id.contains("cohere.embed-")) {
            return COHERE_V3;
        }
        return null;
    }

    /** How many texts one InvokeModel call takes. */
    int batch() {
        return batch;
    }

    /**
     * Refuses, with a 400 naming the field, what the model cannot do: token ids (Bedrock's models take text) and a
     * {@code dimensions} it does not offer.
     */
    void check(EmbeddingRequest r, String provider) {
        if (r.input().isTokens()) {
            throw GatewayException.of(ErrorKind.INVALID_REQUEST, "Bedrock embedding models take text: 'input' as "
                    + "token ids is not supported through provider '" + provider + "'.").withParam("input");
        }
        Integer d = r.dimensions();
        if (d == null || d.equals(fixedDimensions) || dimensions.contains(d)) {
            return;
        }
        String offered = fixedDimensions != null ? "only " + fixedDimensions
                : "one of " + dimensions.stream().sorted().map(String::valueOf).toList();
        throw GatewayException.of(ErrorKind.INVALID_REQUEST, "'dimensions' " + d + " is not offered by this model "
                + "(" + offered + ").").withParam("dimensions");
    }

    /** The InvokeModel body for {@code texts} (at most {@link #batch()}). */
    abstract ObjectNode body(List<String> texts, EmbeddingRequest r);

    /**
     * What an embeddings answer carries: its vectors in input order and Titan's {@code inputTextTokenCount} (-1 where
     * the body has none: Cohere's count is a response header).
     */
    record Answer(List<float[]> vectors, int tokens) {
    }

    /**
     * Reads an answer body, streamed straight into {@code float[]}s (no tree: a tree node per number cost about
     * 140 µs per 1,024 values): Titan's {@code embedding}, Cohere's {@code embeddings} (a list, or by type under
     * {@code float}), Titan's {@code inputTextTokenCount}. Fewer or more than {@code expected} vectors, an empty
     * vector or a value that is not a number is an invalid answer ({@link IllegalStateException}).
     */
    static Answer read(byte[] body, int expected) throws IOException {
        float[] single = null;
        List<float[]> many = null;
        int tokens = -1;
        try (JsonParser p = Json.MAPPER.getFactory().createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalStateException("an embeddings answer is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "embedding" -> single = floats(p, t);
                    case "embeddings" -> many = t == JsonToken.START_OBJECT ? byType(p) : list(p, t);
                    case "inputTextTokenCount" -> tokens = t == JsonToken.VALUE_NUMBER_INT
                            && p.getNumberType() == JsonParser.NumberType.INT ? p.getIntValue() : -1;
                    default -> p.skipChildren();
                }
            }
        }
        List<float[]> out = single != null ? List.of(single) : many != null ? many : List.of();
        if (out.size() != expected) {
            throw new IllegalStateException("expected " + expected + " embeddings, got " + out.size());
        }
        return new Answer(out, tokens);
    }

    /** Cohere's {@code embeddings} by type: the {@code float} list (other types skipped). */
    private static List<float[]> byType(JsonParser p) throws IOException {
        List<float[]> out = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String type = p.currentName();
            JsonToken t = p.nextToken();
            if (type.equals("float")) {
                out = list(p, t);
            } else {
                p.skipChildren();
            }
        }
        return out == null ? List.of() : out;
    }

    private static List<float[]> list(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            throw new IllegalStateException("embeddings are not a list");
        }
        List<float[]> out = new ArrayList<>();
        for (JsonToken v = p.nextToken(); v != JsonToken.END_ARRAY; v = p.nextToken()) {
            out.add(floats(p, v));
        }
        return out;
    }

    private static float[] floats(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            throw new IllegalStateException("an embedding is not a non-empty array of numbers");
        }
        float[] values = new float[1024];
        int n = 0;
        for (JsonToken v = p.nextToken(); v != JsonToken.END_ARRAY; v = p.nextToken()) {
            if (v != JsonToken.VALUE_NUMBER_FLOAT && v != JsonToken.VALUE_NUMBER_INT) {
                throw new IllegalStateException("an embedding value is not a number");
            }
            if (n == values.length) {
                values = Arrays.copyOf(values, n * 2);
            }
            values[n++] = p.getFloatValue();
        }
        if (n == 0) {
            throw new IllegalStateException("an embedding is not a non-empty array of numbers");
        }
        return n == values.length ? values : Arrays.copyOf(values, n);
    }

    private static ObjectNode cohere(List<String> texts, EmbeddingRequest r) {
        ObjectNode b = Json.MAPPER.createObjectNode();
        ArrayNode a = b.putArray("texts");
        texts.forEach(a::add);
        JsonNode inputType = r.extensions().get("input_type");
        b.put("input_type", inputType != null && inputType.isTextual() ? inputType.textValue() : DEFAULT_INPUT_TYPE);
        JsonNode truncate = r.extensions().get("truncate");
        if (truncate != null && truncate.isTextual()) {
            b.put("truncate", truncate.textValue());
        }
        return b;
    }

}
