package io.switchboard.shared.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatChoice;
import io.switchboard.shared.chat.ChatMessage;
import io.switchboard.shared.chat.ChatRequest;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.chat.Usage;
import java.io.IOException;
import java.util.Map;

/** Streaming writers for the OpenAI wire format: requests to providers, completions, chunks and errors. */
public final class ChatJson {

    private ChatJson() {
    }

    /**
     * The request as an OpenAI-compatible provider receives it: every field the caller sent, {@code model} replaced
     * by the provider's id and {@code stream} as given.
     */
    public static byte[] writeRequest(ChatRequest r, String providerModel, boolean stream) {
        return Json.write(512, g -> {
            g.writeStartObject();
            g.writeStringField("model", providerModel);
            g.writeArrayFieldStart("messages");
            for (ChatMessage m : r.messages()) {
                writeMessage(g, m);
            }
            g.writeEndArray();
            if (r.temperature() != null) {
                g.writeNumberField("temperature", r.temperature());
            }
            if (r.topP() != null) {
                g.writeNumberField("top_p", r.topP());
            }
            if (r.maxTokens() != null) {
                g.writeNumberField("max_tokens", r.maxTokens());
            }
            if (r.maxCompletionTokens() != null) {
                g.writeNumberField("max_completion_tokens", r.maxCompletionTokens());
            }
            if (!r.stop().isEmpty()) {
                g.writeArrayFieldStart("stop");
                for (String s : r.stop()) {
                    g.writeString(s);
                }
                g.writeEndArray();
            }
            if (r.n() != null) {
                g.writeNumberField("n", r.n());
            }
            if (r.seed() != null) {
                g.writeNumberField("seed", r.seed());
            }
            writeNode(g, "response_format", r.responseFormat());
            writeNode(g, "tools", r.tools());
            writeNode(g, "tool_choice", r.toolChoice());
            if (r.user() != null) {
                g.writeStringField("user", r.user());
            }
            if (stream) {
                g.writeBooleanField("stream", true);
                writeNode(g, "stream_options", r.streamOptions());
            }
            writeExtensions(g, r.extensions());
            g.writeEndObject();
        });
    }

    /** A {@code chat.completion} object. */
    public static byte[] writeResponse(ChatResponse r) {
        return Json.write(512, g -> {
            g.writeStartObject();
            g.writeStringField("id", r.id());
            g.writeStringField("object", ChatResponse.OBJECT);
            g.writeNumberField("created", r.created());
            g.writeStringField("model", r.model());
            g.writeArrayFieldStart("choices");
            for (ChatChoice c : r.choices()) {
                g.writeStartObject();
                g.writeNumberField("index", c.index());
                g.writeFieldName("message");
                writeMessage(g, c.message());
                g.writeFieldName("logprobs");
                if (c.logprobs() == null) {
                    g.writeNull();
                } else {
                    g.writeTree(c.logprobs());
                }
                g.writeFieldName("finish_reason");
                if (c.finishReason() == null) {
                    g.writeNull();
                } else {
                    g.writeString(c.finishReason());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeFieldName("usage");
            writeUsage(g, r.usage());
            if (r.systemFingerprint() != null) {
                g.writeStringField("system_fingerprint", r.systemFingerprint());
            }
            writeExtensions(g, r.extensions());
            g.writeEndObject();
        });
    }

    /**
     * One {@code chat.completion.chunk}. {@code role} and {@code content} go into the delta when non-null;
     * {@code usage} is written when non-null (OpenAI's final usage chunk has no choices: pass {@code index < 0}).
     */
    public static byte[] writeChunk(String id, long created, String model, int index, String role, String content,
            JsonNode toolCalls, String finishReason, Usage usage) {
        return Json.write(256, g -> {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("object", "chat.completion.chunk");
            g.writeNumberField("created", created);
            g.writeStringField("model", model);
            g.writeArrayFieldStart("choices");
            if (index >= 0) {
                g.writeStartObject();
                g.writeNumberField("index", index);
                g.writeObjectFieldStart("delta");
                if (role != null) {
                    g.writeStringField("role", role);
                }
                if (content != null) {
                    g.writeStringField("content", content);
                }
                writeNode(g, "tool_calls", toolCalls);
                g.writeEndObject();
                g.writeNullField("logprobs");
                g.writeFieldName("finish_reason");
                if (finishReason == null) {
                    g.writeNull();
                } else {
                    g.writeString(finishReason);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            if (usage != null) {
                g.writeFieldName("usage");
                writeUsage(g, usage);
            }
            g.writeEndObject();
        });
    }

    /** OpenAI's error body for {@code e}: its caller-safe message, type, param and code. */
    public static byte[] writeError(GatewayException e) {
        return writeError(e.kind(), e.getMessage(), e.param(), e.code());
    }

    /** OpenAI's error body {@code {"error":{"message","type","param","code"}}}. */
    public static byte[] writeError(ErrorKind kind, String message, String param, String code) {
        return Json.write(160, g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("message", message);
            g.writeStringField("type", kind.type());
            g.writeFieldName("param");
            if (param == null) {
                g.writeNull();
            } else {
                g.writeString(param);
            }
            g.writeStringField("code", code == null ? kind.code() : code);
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    static void writeMessage(JsonGenerator g, ChatMessage m) throws IOException {
        g.writeStartObject();
        g.writeStringField("role", m.role().wire());
        g.writeFieldName("content");
        if (m.content() == null) {
            g.writeNull();
        } else {
            g.writeTree(m.content());
        }
        if (m.name() != null) {
            g.writeStringField("name", m.name());
        }
        if (m.toolCallId() != null) {
            g.writeStringField("tool_call_id", m.toolCallId());
        }
        writeNode(g, "tool_calls", m.toolCalls());
        writeExtensions(g, m.extensions());
        g.writeEndObject();
    }

    private static void writeUsage(JsonGenerator g, Usage u) throws IOException {
        g.writeStartObject();
        g.writeNumberField("prompt_tokens", u.promptTokens());
        g.writeNumberField("completion_tokens", u.completionTokens());
        g.writeNumberField("total_tokens", u.totalTokens());
        writeExtensions(g, u.extensions());
        g.writeEndObject();
    }

    private static void writeNode(JsonGenerator g, String name, JsonNode node) throws IOException {
        if (node != null) {
            g.writeFieldName(name);
            g.writeTree(node);
        }
    }

    private static void writeExtensions(JsonGenerator g, Map<String, JsonNode> extensions) throws IOException {
        for (Map.Entry<String, JsonNode> e : extensions.entrySet()) {
            g.writeFieldName(e.getKey());
            g.writeTree(e.getValue());
        }
    }
}
