package io.switchboard.core.provider.anthropic;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.json.Json;
import java.io.IOException;

/**
 * OpenAI function calling as Messages tool use: {@code tools} as tools with an {@code input_schema}, {@code tool_choice}
 * (with {@code parallel_tool_calls}) as Anthropic's tool choice, and an assistant's {@code tool_calls} as
 * {@code tool_use} blocks whose {@code arguments} string is parsed into the {@code input} object. What cannot be
 * mapped is a 400 naming the field.
 */
final class AnthropicTools {
    private AnthropicTools() {
    }

    /** An assistant's tool calls as {@code tool_use} blocks, each call's arguments parsed into its input. */
    static void toolUses(JsonGenerator g, JsonNode calls, String param) throws IOException {
        if (calls == null) {
            return;
        }
        for (int k = 0; k < calls.size(); k++) {
            JsonNode call = calls.get(k);
            String p = param + "[" + k + "]";
            if (!call.isObject()) {
                throw GatewayException.invalid(p, "'" + p + "' must be an object.");
            }
            if (call.has("type") && !"function".equals(call.path("type").asText())) {
                throw GatewayException.invalid(p + ".type", "'" + p + ".type' must be 'function' for Anthropic "
                        + "providers.").withCode("unsupported_value");
            }
            String id = required(call.get("id"), p + ".id");
            String name = required(call.path("function").get("name"), p + ".function.name");
            g.writeStartObject();
            g.writeStringField("type", "tool_use");
            g.writeStringField("id", id);
            g.writeStringField("name", name);
            g.writeFieldName("input");
            g.writeTree(arguments(call.path("function").get("arguments"), p + ".function.arguments"));
            g.writeEndObject();
        }
    }

    /** A call's {@code arguments} string as the JSON object it encodes (blank: no arguments). */
    private static JsonNode arguments(JsonNode arguments, String param) {
        String text = arguments == null || arguments.isNull() ? "" : arguments.asText();
        if (arguments != null && !arguments.isNull() && !arguments.isTextual()) {
            throw GatewayException.invalid(param, "'" + param + "' must be a string holding a JSON object.");
        }
        if (text.isBlank()) {
            return Json.MAPPER.createObjectNode();
        }
        JsonNode input;
        try {
            input = Json.MAPPER.readTree(text);
        } catch (IOException e) {
            input = null;
        }
        if (input == null || !input.isObject()) {
            throw GatewayException.invalid(param, "'" + param + "' must be a string holding a JSON object.");
        }
        return input;
    }

    private static String required(JsonNode n, String param) {
        if (n == null || !n.isTextual() || n.textValue().isEmpty()) {
            throw GatewayException.invalid(param, "'" + param + "' is required.");
        }
        return n.textValue();
    }

    /** OpenAI function tools as Anthropic tools ({@code parameters} as {@code input_schema}). */
    static void tools(JsonGenerator g, JsonNode tools) throws IOException {
        g.writeArrayFieldStart("tools");
        for (int i = 0; i < tools.size(); i++) {
            JsonNode tool = tools.get(i);
            String p = "tools[" + i + "]";
            if (!"function".equals(tool.path("type").asText())) {
                throw GatewayException.invalid(p + ".type", "'" + p + ".type' must be 'function' for Anthropic "
                        + "providers.").withCode("unsupported_value");
            }
            JsonNode fn = tool.path("function");
            g.writeStartObject();
            g.writeStringField("name", fn.path("name").asText());
            if (fn.path("description").isTextual()) {
                g.writeStringField("description", fn.get("description").textValue());
            }
            g.writeFieldName("input_schema");
            JsonNode schema = fn.get("parameters");
            if (schema != null && schema.isObject()) {
                g.writeTree(schema);
            } else {
                g.writeStartObject(); // a function without parameters: the API requires a schema
                g.writeStringField("type", "object");
                g.writeObjectFieldStart("properties");
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /**
     * {@code tool_choice}: {@code auto}, {@code none}, {@code required} (Anthropic's {@code any}) or a named function
     * (Anthropic's {@code tool}); {@code parallel_tool_calls: false} is Anthropic's
     * {@code disable_parallel_tool_use}.
     */
    static void toolChoice(JsonGenerator g, JsonNode choice, JsonNode parallel, String provider)
            throws IOException {
        boolean serial = parallel != null && parallel.isBoolean() && !parallel.booleanValue();
        String type = serial ? "auto" : null;
        String name = null;
        if (choice != null && choice.isTextual()) {
            type = switch (choice.textValue()) {
                case "none" -> "none";
                case "required" -> "any";
                default -> "auto";
            };
        } else if (choice != null && choice.isObject()) {
            if (!"function".equals(choice.path("type").asText())) {
                throw GatewayException.invalid("tool_choice.type", "'tool_choice.type' must be 'function' for "
                        + "provider '" + provider + "'.").withCode("unsupported_value");
            }
            type = "tool";
            name = required(choice.path("function").get("name"), "tool_choice.function.name");
        }
        if (type == null) {
            return;
        }
        g.writeObjectFieldStart("tool_choice");
        g.writeStringField("type", type);
        if (name != null) {
            g.writeStringField("name", name);
        }
        if (serial && !type.equals("none")) {
            g.writeBooleanField("disable_parallel_tool_use", true);
        }
        g.writeEndObject();
    }
}
