package io.switchboard.shared.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.embeddings.EmbeddingInput;
import io.switchboard.shared.embeddings.EmbeddingRequest;
import io.switchboard.shared.embeddings.EncodingFormat;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads and validates an embeddings request body ({@code CreateEmbeddingRequest}). Every rejection is a 400 naming the
 * field in OpenAI's {@code param} ({@code input[3]}, {@code input[0][12]}); messages describe the rule broken, never
 * the value sent.
 */
public final class EmbeddingRequestReader {
    /** Most items of an {@code input} array, as OpenAI allows. */
    public static final int MAX_INPUTS = 2048;

    private EmbeddingRequestReader() {
    }

    /** Parses and validates {@code body}. */
    public static EmbeddingRequest read(byte[] body) {
        return read(ChatRequestReader.object(body));
    }

    /** Validates an already parsed body. */
    public static EmbeddingRequest read(ObjectNode root) {
        String model = null;
        EmbeddingInput input = null;
        EncodingFormat format = null;
        Integer dimensions = null;
        String user = null;
        Map<String, JsonNode> extensions = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode v = field.getValue();
            switch (field.getKey()) {
                case "model" -> model = ChatRequestReader.requiredString(v, "model");
                case "input" -> input = input(v);
                case "encoding_format" -> format = encodingFormat(v);
                case "dimensions" -> dimensions = ChatRequestReader.positiveInt(v, "dimensions");
                case "user" -> user = ChatRequestReader.optionalString(v, "user");
                default -> {
                    if (extensions == null) {
                        extensions = new HashMap<>();
                    }
                    extensions.put(field.getKey(), v);
                }
            }
        }
        if (model == null) {
            throw GatewayException.invalid("model", "'model' is required.");
        }
        if (input == null) {
            throw GatewayException.invalid("input", "'input' is required.");
        }
        return new EmbeddingRequest(model, input, format, dimensions, user, extensions);
    }

    private static EncodingFormat encodingFormat(JsonNode v) {
        if (v.isNull()) {
            return null;
        }
        EncodingFormat f = v.isTextual() ? EncodingFormat.fromWire(v.textValue()) : null;
        if (f == null) {
            throw GatewayException.invalid("encoding_format", "'encoding_format' must be 'float' or 'base64'.");
        }
        return f;
    }

    private static EmbeddingInput input(JsonNode v) {
        if (v.isTextual()) {
            if (v.textValue().isEmpty()) {
                throw GatewayException.invalid("input", "'input' must not be an empty string.");
            }
            return new EmbeddingInput(EmbeddingInput.Kind.TEXT, v);
        }
        if (!v.isArray()) {
            throw GatewayException.invalid("input", "'input' must be a string, an array of strings, an array of "
                    + "token ids or an array of token id arrays.");
        }
        if (v.isEmpty()) {
            throw GatewayException.invalid("input", "'input' must contain at least one item.");
        }
        if (v.size() > MAX_INPUTS) {
            throw GatewayException.invalid("input", "'input' allows at most " + MAX_INPUTS + " items.");
        }
        JsonNode first = v.get(0);
        EmbeddingInput.Kind kind;
        if (first.isTextual()) {
            kind = EmbeddingInput.Kind.TEXTS;
        } else if (first.isIntegralNumber()) {
            kind = EmbeddingInput.Kind.TOKENS;
        } else if (first.isArray()) {
            kind = EmbeddingInput.Kind.TOKEN_ARRAYS;
        } else {
            throw GatewayException.invalid("input[0]",
                    "'input[0]' must be a string, a token id or an array of token ids.");
        }
        for (int i = 0; i < v.size(); i++) {
            JsonNode item = v.get(i);
            String p = "input[" + i + "]";
            switch (kind) {
                case TEXTS -> {
                    if (!item.isTextual()) {
                        throw GatewayException.invalid(p, "'" + p + "' must be a string, as the first item is.");
                    }
                    if (item.textValue().isEmpty()) {
                        throw GatewayException.invalid(p, "'" + p + "' must not be an empty string.");
                    }
                }
                case TOKENS -> token(item, p);
                case TOKEN_ARRAYS -> {
                    if (!item.isArray()) {
                        throw GatewayException.invalid(p, "'" + p + "' must be an array of token ids, as the first "
                                + "item is.");
                    }
                    if (item.isEmpty()) {
                        throw GatewayException.invalid(p, "'" + p + "' must contain at least one token id.");
                    }
                    for (int k = 0; k < item.size(); k++) {
                        token(item.get(k), p + "[" + k + "]");
                    }
                }
                case TEXT -> throw new IllegalStateException("not an array kind");
            }
        }
        return new EmbeddingInput(kind, v);
    }

    private static void token(JsonNode n, String p) {
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0) {
            throw GatewayException.invalid(p, "'" + p + "' must be a token id: an integer of at least 0.");
        }
    }
}
