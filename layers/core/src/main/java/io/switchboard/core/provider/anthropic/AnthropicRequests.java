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
 * into one turn (the API requires alternation). {@code max_tokens} is always sent (the API requires it). Content
 * parts are mapped by {@link AnthropicContent}, tools and tool calls by {@link AnthropicTools}; the top-level
 * parameters refused and dropped are {@link AnthropicParameters}'s. What cannot be mapped is a 400 naming the field.
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
                    AnthropicContent.textBlock(g, text);
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
                AnthropicTools.tools(g, r.tools());
                AnthropicTools.toolChoice(g, r.toolChoice(), r.extensions().get("parallel_tool_calls"), provider);
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
                AnthropicContent.parts(g, m.content(), "messages[" + i + "].content");
                AnthropicTools.toolUses(g, m.toolCalls(), "messages[" + i + "].tool_calls");
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
                    AnthropicContent.parts(g, m.content(), "messages[" + i + "].content");
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
            AnthropicContent.parts(g, m.content(), param);
            g.writeEndArray();
        }
        g.writeEndObject();
    }
}
