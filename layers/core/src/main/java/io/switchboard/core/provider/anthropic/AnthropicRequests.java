package io.switchboard.core.provider.anthropic;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatMessage;
import io.switchboard.shared.chat.ChatRequest;
import io.switchboard.shared.chat.Role;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An OpenAI chat request as a Messages API request body. {@code system} and {@code developer} messages become the
 * top-level {@code system} text blocks; {@code tool} messages become {@code tool_result} blocks of a {@code user}
 * turn (before any other content of that turn, as the API requires); consecutive messages of one role are merged
 * into one turn (the API requires alternation); assistant {@code tool_calls} become {@code tool_use} blocks with
 * their arguments parsed; images become {@code base64} or {@code url} image sources; empty text is left out (the API
 * refuses empty text blocks). {@code max_tokens} is always sent (the API requires it). What cannot be mapped is a 400
 * naming the field; see {@link AnthropicParameters} for the top-level parameters refused and dropped.
 */
final class AnthropicRequests {
    /** A conversation turn: a role and the indexes of the messages merged into it. */
    private record Turn(boolean assistant, List<Integer> messages) {
    }

    private AnthropicRequests() {
    }

    /**
     * The Messages request for {@code r}.
     *
     * @param model the provider's model id
     * @param stream whether to ask for an event stream
     * @param defaultMaxTokens {@code max_tokens} when the request sets no token cap
     * @param provider the provider's name, for error messages
     */
    static byte[] write(ChatRequest r, String model, boolean stream, int defaultMaxTokens, String provider) {
        AnthropicParameters.check(r, provider);
        List<String> system = system(r.messages());
        List<Turn> turns = turns(r.messages());
        return Json.write(256 + 64 * r.messages().size(), g -> {
            g.writeStartObject();
            g.writeStringField("model", model);
            g.writeNumberField("max_tokens", r.tokenLimit() != null ? r.tokenLimit() : defaultMaxTokens);
            if (!system.isEmpty()) {
                g.writeArrayFieldStart("system");
                for (String text : system) {
                    textBlock(g, text);
                }
                g.writeEndArray();
            }
            g.writeArrayFieldStart("messages");
            for (Turn t : turns) {
                turn(g, r.messages(), t);
            }
            g.writeEndArray();
            if (!r.stop().isEmpty()) {
                g.writeArrayFieldStart("stop_sequences");
                for (String s : r.stop()) {
                    g.writeString(s);
                }
                g.writeEndArray();
            }
            if (r.temperature() != null) {
                g.writeNumberField("temperature", r.temperature());
            }
            if (r.topP() != null) {
                g.writeNumberField("top_p", r.topP());
            }
            if (r.tools() != null && !r.tools().isEmpty()) {
                tools(g, r.tools());
                toolChoice(g, r.toolChoice(), r.extensions().get("parallel_tool_calls"), provider);
            }
            if (r.user() != null && !r.user().isEmpty()) {
                g.writeObjectFieldStart("metadata");
                g.writeStringField("user_id", r.user());
                g.writeEndObject();
            }
            if (stream) {
                g.writeBooleanField("stream", true);
            }
            g.writeEndObject();
        });
    }

    /** The texts of the system and developer messages, in order. */
    private static List<String> system(List<ChatMessage> messages) {
        List<String> texts = new ArrayList<>(1);
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            if (m.role() != Role.SYSTEM && m.role() != Role.DEVELOPER) {
                continue;
            }
            JsonNode c = m.content();
            if (c == null || c.isNull()) {
                continue;
            }
            if (c.isTextual()) {
                addText(texts, c.textValue());
                continue;
            }
            for (int j = 0; j < c.size(); j++) {
                JsonNode part = c.get(j);
                if (!"text".equals(part.path("type").asText())) {
                    String p = "messages[" + i + "].content[" + j + "].type";
                    throw GatewayException.invalid(p, "'" + p + "' must be 'text' in a " + m.role().wire()
                            + " message.").withCode("unsupported_value");
                }
                addText(texts, part.path("text").asText(""));
            }
        }
        return texts;
    }

    private static void addText(List<String> texts, String text) {
        if (!text.isEmpty()) {
            texts.add(text);
        }
    }

    /** The user and assistant turns, consecutive messages of one role merged; system messages left out. */
    private static List<Turn> turns(List<ChatMessage> messages) {
        List<Turn> turns = new ArrayList<>(messages.size());
        Turn current = null;
        for (int i = 0; i < messages.size(); i++) {
            Role role = messages.get(i).role();
            if (role == Role.SYSTEM || role == Role.DEVELOPER) {
                continue;
            }
            if (role == Role.FUNCTION) {
                String p = "messages[" + i + "].role";
                throw GatewayException.invalid(p, "'" + p + "' 'function' (legacy function calling) is not "
                        + "supported by Anthropic providers; use 'tool' messages.").withCode("unsupported_value");
            }
            boolean assistant = role == Role.ASSISTANT;
            if (current == null || current.assistant() != assistant) {
                current = new Turn(assistant, new ArrayList<>(2));
                turns.add(current);
            }
            current.messages().add(i);
        }
        return turns;
    }

    private static void turn(JsonGenerator g, List<ChatMessage> messages, Turn t) throws IOException {
        g.writeStartObject();
        g.writeStringField("role", t.assistant() ? "assistant" : "user");
        g.writeArrayFieldStart("content");
        if (t.assistant()) {
            for (int i : t.messages()) {
                ChatMessage m = messages.get(i);
                if (m.extensions().containsKey("function_call")) {
                    String p = "messages[" + i + "].function_call";
                    throw GatewayException.invalid(p, "'" + p + "' (legacy function calling) is not supported by "
                            + "Anthropic providers; use 'tool_calls'.").withCode("unsupported_parameter");
                }
                parts(g, m.content(), "messages[" + i + "].content");
                toolUses(g, m.toolCalls(), "messages[" + i + "].tool_calls");
            }
        } else {
            for (int i : t.messages()) { // tool results first: the API requires them to lead the turn
                ChatMessage m = messages.get(i);
                if (m.role() == Role.TOOL) {
                    toolResult(g, m, "messages[" + i + "].content");
                }
            }
            for (int i : t.messages()) {
                ChatMessage m = messages.get(i);
                if (m.role() == Role.USER) {
                    parts(g, m.content(), "messages[" + i + "].content");
                }
            }
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void toolResult(JsonGenerator g, ChatMessage m, String param) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "tool_result");
        g.writeStringField("tool_use_id", m.toolCallId());
        if (m.content() == null || m.content().isNull()) {
            g.writeStringField("content", "");
        } else if (m.content().isTextual()) {
            g.writeStringField("content", m.content().textValue());
        } else {
            g.writeArrayFieldStart("content");
            parts(g, m.content(), param);
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    /** Content blocks for a string or an array of content parts (text, refusal and image parts). */
    private static void parts(JsonGenerator g, JsonNode content, String param) throws IOException {
        if (content == null || content.isNull()) {
            return;
        }
        if (content.isTextual()) {
            if (!content.textValue().isEmpty()) {
                textBlock(g, content.textValue());
            }
            return;
        }
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String p = param + "[" + j + "]";
            switch (part.path("type").asText()) {
                case "text" -> {
                    String text = part.path("text").asText("");
                    if (!text.isEmpty()) {
                        textBlock(g, text);
                    }
                }
                case "refusal" -> {
                    String text = part.path("refusal").asText("");
                    if (!text.isEmpty()) {
                        textBlock(g, text);
                    }
                }
                case "image_url" -> image(g, part.path("image_url").path("url").asText(""), p + ".image_url.url");
                default -> throw GatewayException.invalid(p + ".type", "'" + p + ".type' must be 'text' or "
                        + "'image_url' for Anthropic providers.").withCode("unsupported_value");
            }
        }
    }

    private static void textBlock(JsonGenerator g, String text) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "text");
        g.writeStringField("text", text);
        g.writeEndObject();
    }

    /** An image block: a base64 data URL as a {@code base64} source, an http(s) URL as a {@code url} source. */
    private static void image(JsonGenerator g, String url, String param) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "image");
        g.writeObjectFieldStart("source");
        if (url.startsWith("data:")) {
            int comma = url.indexOf(',');
            int semicolon = url.indexOf(';');
            if (comma < 0 || semicolon < 0 || semicolon > comma
                    || !url.regionMatches(true, semicolon, ";base64", 0, comma - semicolon)) {
                throw GatewayException.invalid(param, "'" + param + "' must be a base64 data URL "
                        + "(data:<media type>;base64,<data>) or an http(s) URL.");
            }
            g.writeStringField("type", "base64");
            g.writeStringField("media_type", url.substring(5, semicolon));
            g.writeStringField("data", url.substring(comma + 1));
        } else if (url.startsWith("https://") || url.startsWith("http://")) {
            g.writeStringField("type", "url");
            g.writeStringField("url", url);
        } else {
            throw GatewayException.invalid(param, "'" + param + "' must be a base64 data URL "
                    + "(data:<media type>;base64,<data>) or an http(s) URL.");
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    /** An assistant's tool calls as {@code tool_use} blocks, each call's arguments parsed into its input. */
    private static void toolUses(JsonGenerator g, JsonNode calls, String param) throws IOException {
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
    private static void tools(JsonGenerator g, JsonNode tools) throws IOException {
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
    private static void toolChoice(JsonGenerator g, JsonNode choice, JsonNode parallel, String provider)
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
