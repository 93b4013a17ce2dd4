package io.switchboard.shared.embeddings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What to embed, in one of the four shapes OpenAI accepts, kept as the caller sent it (so an OpenAI-compatible
 * provider receives exactly that) with typed views for providers that need the items.
 *
 * @param kind the shape
 * @param json the {@code input} value as sent: a string, or a non-empty array
 */
public record EmbeddingInput(Kind kind, JsonNode json) {
    /** The shapes of {@code input}. */
    public enum Kind {
        /** One string. */
        TEXT,
        /** An array of strings, one embedding each. */
        TEXTS,
        /** One array of token ids. */
        TOKENS,
        /** An array of token id arrays, one embedding each. */
        TOKEN_ARRAYS
    }

    public EmbeddingInput {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(json, "json");
        boolean shaped = kind == Kind.TEXT ? json.isTextual() : json.isArray() && !json.isEmpty();
        if (!shaped) {
            throw new IllegalArgumentException("input of kind " + kind + " must be "
                    + (kind == Kind.TEXT ? "a string" : "a non-empty array"));
        }
    }

    /** One string. */
    public static EmbeddingInput text(String text) {
        return new EmbeddingInput(Kind.TEXT, TextNode.valueOf(Objects.requireNonNull(text, "text")));
    }

    /** Several strings. */
    public static EmbeddingInput texts(List<String> texts) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode(texts.size());
        texts.forEach(a::add);
        return new EmbeddingInput(Kind.TEXTS, a);
    }

    /** How many embeddings the input asks for. */
    public int size() {
        return kind == Kind.TEXT || kind == Kind.TOKENS ? 1 : json.size();
    }

    /** Whether the items are token ids rather than text. */
    public boolean isTokens() {
        return kind == Kind.TOKENS || kind == Kind.TOKEN_ARRAYS;
    }

    /** The text of item {@code i}; only for text input. */
    public String text(int i) {
        return switch (kind) {
            case TEXT -> {
                Objects.checkIndex(i, 1);
                yield json.textValue();
            }
            case TEXTS -> json.get(Objects.checkIndex(i, json.size())).textValue();
            case TOKENS, TOKEN_ARRAYS -> throw new IllegalStateException("the input is token ids, not text");
        };
    }

    /** Every text item, in order; only for text input. */
    public List<String> texts() {
        List<String> out = new ArrayList<>(size());
        for (int i = 0; i < size(); i++) {
            out.add(text(i));
        }
        return out;
    }

    /** The token ids of item {@code i} (a new array); only for token input. */
    public int[] tokens(int i) {
        JsonNode array = switch (kind) {
            case TOKENS -> {
                Objects.checkIndex(i, 1);
                yield json;
            }
            case TOKEN_ARRAYS -> json.get(Objects.checkIndex(i, json.size()));
            case TEXT, TEXTS -> throw new IllegalStateException("the input is text, not token ids");
        };
        int[] out = new int[array.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = array.get(k).intValue();
        }
        return out;
    }
}
