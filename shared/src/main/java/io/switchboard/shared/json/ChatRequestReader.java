package io.switchboard.shared.json;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatMessage;
import io.switchboard.shared.chat.ChatRequest;
import io.switchboard.shared.chat.Role;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads and validates a chat completions request body. Every rejection is a 400 naming the field in OpenAI's
 * {@code param}; messages describe the rule broken, never the value sent.
 */
public final class ChatRequestReader {
    private static final int MAX_STOP = 4;
    private static final int MAX_N = 128;

    private ChatRequestReader() {
    }

    /** Parses and validates {@code body}. */
    public static ChatRequest read(byte[] body) {
        return read(object(body));
    }

    /**
     * Parses {@code body} as one JSON object (duplicate keys refused): 400 {@code invalid_json} when it is not JSON,
     * 400 {@code invalid_value} when it is empty or not an object. Shared by the request readers. A body that is
     * not well-formed UTF-8 is {@code invalid_json} too (JSON is UTF-8): it is refused, never decoded lossily.
     */
    static ObjectNode object(byte[] body) {
        if (body == null || body.length == 0) {
            throw GatewayException.of(ErrorKind.INVALID_REQUEST, "The request body is empty; send a JSON object.");
        }
        int bad = Utf8.firstInvalid(body);
        if (bad >= 0) {
            throw GatewayException.of(ErrorKind.INVALID_JSON,
                    "The request body is not valid UTF-8 (byte offset " + bad + ").");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw GatewayException.of(ErrorKind.INVALID_JSON,
                    "The request body is not valid JSON" + location(e) + ".");
        } catch (IOException e) {
            throw GatewayException.of(ErrorKind.INVALID_JSON, "The request body could not be read.");
        }
        if (root == null || root.isMissingNode()) {
            throw GatewayException.of(ErrorKind.INVALID_REQUEST, "The request body is empty; send a JSON object.");
        }
        if (!root.isObject()) {
            throw GatewayException.of(ErrorKind.INVALID_REQUEST, "The request body must be a JSON object.");
        }
        return (ObjectNode) root;
    }

    private static String location(JacksonException e) {
        var loc = e.getLocation();
        if (loc == null || loc.getLineNr() < 0) {
            return "";
        }
        return " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
    }

    /** Validates an already parsed body. */
    public static ChatRequest read(ObjectNode root) {
        String model = null;
        List<ChatMessage> messages = null;
        Double temperature = null;
        Double topP = null;
        Integer maxTokens = null;
        Integer maxCompletionTokens = null;
        List<String> stop = List.of();
        Integer n = null;
        Long seed = null;
        JsonNode responseFormat = null;
        JsonNode tools = null;
        JsonNode toolChoice = null;
        String user = null;
        boolean stream = false;
        JsonNode streamOptions = null;
        Map<String, JsonNode> extensions = null;

        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = field.getKey();
            JsonNode v = field.getValue();
            switch (key) {
                case "model" -> model = requiredString(v, "model");
                case "messages" -> messages = messages(v);
                case "temperature" -> temperature = number(v, "temperature", 0, 2);
                case "top_p" -> topP = number(v, "top_p", 0, 1);
                case "max_tokens" -> maxTokens = positiveInt(v, "max_tokens");
                case "max_completion_tokens" -> maxCompletionTokens = positiveInt(v, "max_completion_tokens");
                case "stop" -> stop = stop(v);
                case "n" -> {
                    Integer value = positiveInt(v, "n");
                    if (value != null && value > MAX_N) {
                        throw GatewayException.invalid("n", "'n' must be between 1 and " + MAX_N + ".");
                    }
                    n = value;
                }
                case "seed" -> seed = integer(v, "seed");
                case "response_format" -> responseFormat = responseFormat(v);
                case "tools" -> tools = tools(v);
                case "tool_choice" -> toolChoice = toolChoice(v);
                case "user" -> user = optionalString(v, "user");
                case "stream" -> stream = bool(v, "stream");
                case "stream_options" -> streamOptions = objectOrNull(v, "stream_options");
                case "presence_penalty", "frequency_penalty" -> {
                    number(v, key, -2, 2);
                    extensions = put(extensions, key, v);
                }
                case "logprobs", "parallel_tool_calls", "store" -> {
                    bool(v, key);
                    extensions = put(extensions, key, v);
                }
                case "top_logprobs" -> {
                    if (!v.isNull() && (!v.canConvertToExactIntegral() || v.asInt() < 0 || v.asInt() > 20)) {
                        throw GatewayException.invalid(key, "'top_logprobs' must be an integer between 0 and 20.");
                    }
                    extensions = put(extensions, key, v);
                }
                case "logit_bias", "metadata" -> {
                    objectOrNull(v, key);
                    extensions = put(extensions, key, v);
                }
                default -> extensions = put(extensions, key, v);
            }
        }
        if (model == null) {
            throw GatewayException.invalid("model", "'model' is required.");
        }
        if (messages == null) {
            throw GatewayException.invalid("messages", "'messages' is required.");
        }
        if (streamOptions != null && !streamOptions.isNull() && !stream) {
            throw GatewayException.invalid("stream_options",
                    "'stream_options' is only allowed when 'stream' is true.");
        }
        if (toolChoice != null && !toolChoice.isNull() && tools == null
                && !(toolChoice.isTextual() && toolChoice.textValue().equals("none"))) {
            throw GatewayException.invalid("tool_choice", "'tool_choice' is only allowed when 'tools' are given.");
        }
        return new ChatRequest(model, messages, temperature, topP, maxTokens, maxCompletionTokens, stop, n, seed,
                responseFormat, tools, toolChoice, user, stream, streamOptions, extensions);
    }

    private static Map<String, JsonNode> put(Map<String, JsonNode> map, String key, JsonNode value) {
        Map<String, JsonNode> m = map == null ? new HashMap<>() : map;
        m.put(key, value);
        return m;
    }

    static String requiredString(JsonNode v, String param) {
        if (!v.isTextual()) {
            throw GatewayException.invalid(param, "'" + param + "' must be a string.");
        }
        if (v.textValue().isBlank()) {
            throw GatewayException.invalid(param, "'" + param + "' must not be empty.");
        }
        return v.textValue();
    }

    static String optionalString(JsonNode v, String param) {
        if (v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw GatewayException.invalid(param, "'" + param + "' must be a string.");
        }
        return v.textValue();
    }

    private static Double number(JsonNode v, String param, double min, double max) {
        if (v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw GatewayException.invalid(param, "'" + param + "' must be a number.");
        }
        double d = v.doubleValue();
        if (!(d >= min && d <= max)) {
            throw GatewayException.invalid(param, "'" + param + "' must be between " + fmt(min) + " and "
                    + fmt(max) + ".");
        }
        return d;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    static Integer positiveInt(JsonNode v, String param) {
        if (v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw GatewayException.invalid(param, "'" + param + "' must be an integer.");
        }
        if (v.intValue() < 1) {
            throw GatewayException.invalid(param, "'" + param + "' must be at least 1.");
        }
        return v.intValue();
    }

    private static Long integer(JsonNode v, String param) {
        if (v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw GatewayException.invalid(param, "'" + param + "' must be an integer.");
        }
        return v.longValue();
    }

    private static boolean bool(JsonNode v, String param) {
        if (v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw GatewayException.invalid(param, "'" + param + "' must be a boolean.");
        }
        return v.booleanValue();
    }

    private static JsonNode objectOrNull(JsonNode v, String param) {
        if (!v.isNull() && !v.isObject()) {
            throw GatewayException.invalid(param, "'" + param + "' must be an object.");
        }
        return v;
    }

    private static List<String> stop(JsonNode v) {
        if (v.isNull()) {
            return List.of();
        }
        if (v.isTextual()) {
            return List.of(v.textValue());
        }
        if (!v.isArray()) {
            throw GatewayException.invalid("stop", "'stop' must be a string or an array of strings.");
        }
        if (v.size() > MAX_STOP) {
            throw GatewayException.invalid("stop", "'stop' allows at most " + MAX_STOP + " sequences.");
        }
        List<String> out = new ArrayList<>(v.size());
        for (JsonNode s : v) {
            if (!s.isTextual()) {
                throw GatewayException.invalid("stop", "'stop' must be a string or an array of strings.");
            }
            out.add(s.textValue());
        }
        return out;
    }

    private static JsonNode responseFormat(JsonNode v) {
        if (v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw GatewayException.invalid("response_format", "'response_format' must be an object.");
        }
        JsonNode type = v.get("type");
        if (type == null || !type.isTextual()) {
            throw GatewayException.invalid("response_format.type", "'response_format.type' is required.");
        }
        switch (type.textValue()) {
            case "text", "json_object" -> { }
            case "json_schema" -> {
                JsonNode schema = v.get("json_schema");
                if (schema == null || !schema.isObject() || !schema.path("name").isTextual()) {
                    throw GatewayException.invalid("response_format.json_schema",
                            "'response_format.json_schema' must be an object with a 'name'.");
                }
            }
            default -> throw GatewayException.invalid("response_format.type",
                    "'response_format.type' must be one of 'text', 'json_object', 'json_schema'.");
        }
        return v;
    }

    private static JsonNode tools(JsonNode v) {
        if (v.isNull()) {
            return null;
        }
        if (!v.isArray()) {
            throw GatewayException.invalid("tools", "'tools' must be an array.");
        }
        for (int i = 0; i < v.size(); i++) {
            JsonNode tool = v.get(i);
            String p = "tools[" + i + "]";
            if (!tool.isObject()) {
                throw GatewayException.invalid(p, "'" + p + "' must be an object.");
            }
            JsonNode type = tool.get("type");
            if (type == null || !type.isTextual()) {
                throw GatewayException.invalid(p + ".type", "'" + p + ".type' is required.");
            }
            if (type.textValue().equals("function")) {
                JsonNode fn = tool.get("function");
                if (fn == null || !fn.isObject()) {
                    throw GatewayException.invalid(p + ".function", "'" + p + ".function' must be an object.");
                }
                JsonNode name = fn.get("name");
                if (name == null || !name.isTextual() || name.textValue().isEmpty()) {
                    throw GatewayException.invalid(p + ".function.name",
                            "'" + p + ".function.name' is required.");
                }
            }
        }
        return v;
    }

    private static JsonNode toolChoice(JsonNode v) {
        if (v.isNull()) {
            return null;
        }
        if (v.isTextual()) {
            switch (v.textValue()) {
                case "none", "auto", "required" -> {
                    return v;
                }
                default -> throw GatewayException.invalid("tool_choice",
                        "'tool_choice' must be 'none', 'auto', 'required' or an object naming a function.");
            }
        }
        if (!v.isObject() || !v.path("type").isTextual()) {
            throw GatewayException.invalid("tool_choice",
                    "'tool_choice' must be 'none', 'auto', 'required' or an object naming a function.");
        }
        return v;
    }

    private static List<ChatMessage> messages(JsonNode v) {
        if (!v.isArray()) {
            throw GatewayException.invalid("messages", "'messages' must be an array.");
        }
        if (v.isEmpty()) {
            throw GatewayException.invalid("messages", "'messages' must contain at least one message.");
        }
        List<ChatMessage> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            out.add(message(v.get(i), "messages[" + i + "]"));
        }
        return out;
    }

    private static ChatMessage message(JsonNode m, String p) {
        if (!m.isObject()) {
            throw GatewayException.invalid(p, "'" + p + "' must be an object.");
        }
        JsonNode roleNode = m.get("role");
        if (roleNode == null || roleNode.isNull()) {
            throw GatewayException.invalid(p + ".role", "'" + p + ".role' is required.");
        }
        Role role = roleNode.isTextual() ? Role.fromWire(roleNode.textValue()) : null;
        if (role == null) {
            throw GatewayException.invalid(p + ".role", "'" + p
                    + ".role' must be one of 'system', 'developer', 'user', 'assistant', 'tool', 'function'.");
        }
        JsonNode content = null;
        String name = null;
        String toolCallId = null;
        JsonNode toolCalls = null;
        Map<String, JsonNode> extensions = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode v = field.getValue();
            switch (field.getKey()) {
                case "role" -> { }
                case "content" -> content = content(v, p + ".content");
                case "name" -> name = optionalString(v, p + ".name");
                case "tool_call_id" -> toolCallId = optionalString(v, p + ".tool_call_id");
                case "tool_calls" -> {
                    if (!v.isNull() && !v.isArray()) {
                        throw GatewayException.invalid(p + ".tool_calls", "'" + p + ".tool_calls' must be an array.");
                    }
                    toolCalls = v.isNull() ? null : v;
                }
                default -> extensions = put(extensions, field.getKey(), v);
            }
        }
        boolean hasContent = content != null && !content.isNull();
        if (!hasContent && role != Role.ASSISTANT) {
            throw GatewayException.invalid(p + ".content", "'" + p + ".content' is required for role '"
                    + role.wire() + "'.");
        }
        if (role == Role.ASSISTANT && !hasContent && toolCalls == null && (extensions == null
                || !extensions.containsKey("function_call"))) {
            throw GatewayException.invalid(p + ".content",
                    "'" + p + ".content' is required unless 'tool_calls' are given.");
        }
        if (role == Role.TOOL && (toolCallId == null || toolCallId.isEmpty())) {
            throw GatewayException.invalid(p + ".tool_call_id", "'" + p + ".tool_call_id' is required for role 'tool'.");
        }
        return new ChatMessage(role, content, name, toolCallId, toolCalls, extensions);
    }

    private static JsonNode content(JsonNode v, String p) {
        if (v.isNull() || v.isTextual()) {
            return v;
        }
        if (!v.isArray()) {
            throw GatewayException.invalid(p, "'" + p + "' must be a string or an array of content parts.");
        }
        for (int i = 0; i < v.size(); i++) {
            JsonNode part = v.get(i);
            String pp = p + "[" + i + "]";
            if (!part.isObject()) {
                throw GatewayException.invalid(pp, "'" + pp + "' must be an object.");
            }
            JsonNode type = part.get("type");
            if (type == null || !type.isTextual()) {
                throw GatewayException.invalid(pp + ".type", "'" + pp + ".type' is required.");
            }
            if (type.textValue().equals("text") && !part.path("text").isTextual()) {
                throw GatewayException.invalid(pp + ".text", "'" + pp + ".text' must be a string.");
            }
            if (type.textValue().equals("image_url") && !part.path("image_url").isObject()) {
                throw GatewayException.invalid(pp + ".image_url", "'" + pp + ".image_url' must be an object.");
            }
        }
        return v;
    }
}
