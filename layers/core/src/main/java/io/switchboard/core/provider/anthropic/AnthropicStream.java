package io.switchboard.core.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.core.stream.StreamResult;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.json.ChatJson;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Translates one Messages stream, event by event, into {@code chat.completion.chunk}s (each event parsed once):
 * {@code message_start} gives the role chunk; a {@code text_delta} a content chunk; a {@code tool_use} block's start
 * a tool call chunk (index, id, type, name, empty arguments) and each {@code input_json_delta} an arguments fragment
 * of it; {@code message_delta} the finish chunk; {@code message_stop} ends the stream, after a usage chunk when the
 * caller asked for one. {@code ping}, {@code content_block_stop}, other block types and events it does not know give
 * nothing. An {@code error} event throws its mapped {@link GatewayException}. One instance per stream; not
 * thread-safe.
 */
final class AnthropicStream {
    private final String provider;
    private final InstantSource clock;
    private final boolean includeUsage;
    private final Consumer<byte[]> out;
    /** Content block index to the index of its tool call among the message's tool calls. */
    private final Map<Integer, Integer> toolCalls = new HashMap<>();
    private String id;
    private String model;
    private long created;
    private AnthropicUsage usage = AnthropicUsage.NONE;
    private String finishReason;
    private int chunks;

    /**
     * A translator writing each chunk's JSON to {@code out}.
     *
     * @param provider the provider's name, for error messages
     * @param clock the time of the chunks' {@code created}
     * @param includeUsage whether the stream ends with a usage chunk ({@code stream_options.include_usage})
     */
    AnthropicStream(String provider, InstantSource clock, boolean includeUsage, Consumer<byte[]> out) {
        this.provider = provider;
        this.clock = clock;
        this.includeUsage = includeUsage;
        this.out = out;
    }

    /**
     * Translates one event: its {@code event:} name (null: the payload's {@code type}) and its data. True when it
     * was the terminal {@code message_stop}.
     */
    boolean accept(String name, String data) {
        JsonNode e = parse(data);
        String type = name != null ? name : e.path("type").asText("");
        switch (type) {
            case "message_start" -> start(e.path("message"));
            case "content_block_start" -> blockStart(e);
            case "content_block_delta" -> blockDelta(e);
            case "message_delta" -> messageDelta(e);
            case "message_stop" -> {
                started();
                if (includeUsage) {
                    emit(ChatJson.writeChunk(id, created, model, -1, null, null, null, null, usage.toUsage()));
                }
                return true;
            }
            case "error" -> throw AnthropicErrors.streamError(provider, e, clock.instant());
            default -> { } // ping, content_block_stop, and event types added later
        }
        return false;
    }

    /** How the stream ended (call after {@link #accept} returned true). */
    StreamResult result() {
        return new StreamResult(usage.toUsage(), finishReason, chunks);
    }

    /** Chunks written so far. */
    int chunks() {
        return chunks;
    }

    private void start(JsonNode message) {
        if (id != null) {
            throw invalid("started a message twice");
        }
        String messageId = message.path("id").asText("");
        if (messageId.isEmpty()) {
            throw invalid("started a message without an id");
        }
        id = messageId;
        model = message.path("model").asText("unknown");
        created = clock.instant().getEpochSecond();
        usage = usage.merge(message.get("usage"));
        emit(ChatJson.writeChunk(id, created, model, 0, "assistant", "", null, null, null));
    }

    private void blockStart(JsonNode e) {
        started();
        JsonNode block = e.path("content_block");
        switch (block.path("type").asText("")) {
            case "text" -> text(block.path("text").asText(""));
            case "tool_use" -> {
                int index = toolCalls.size();
                toolCalls.put(e.path("index").asInt(-1), index);
                ObjectNode call = toolCall(index);
                call.put("id", block.path("id").asText(""));
                call.put("type", "function");
                call.putObject("function").put("name", block.path("name").asText("")).put("arguments", "");
                emit(ChatJson.writeChunk(id, created, model, 0, null, null, call.arrayNode().add(call), null, null));
            }
            default -> { } // thinking and server tool blocks are not part of the OpenAI answer
        }
    }

    private void blockDelta(JsonNode e) {
        started();
        JsonNode delta = e.path("delta");
        switch (delta.path("type").asText("")) {
            case "text_delta" -> text(delta.path("text").asText(""));
            case "input_json_delta" -> {
                Integer index = toolCalls.get(e.path("index").asInt(-1));
                if (index == null) {
                    throw invalid("sent tool input for a block that is not a tool call");
                }
                String fragment = delta.path("partial_json").asText("");
                if (!fragment.isEmpty()) {
                    ObjectNode call = toolCall(index);
                    call.putObject("function").put("arguments", fragment);
                    emit(ChatJson.writeChunk(id, created, model, 0, null, null, call.arrayNode().add(call), null,
                            null));
                }
            }
            default -> { } // thinking_delta, signature_delta, citations_delta
        }
    }

    private void messageDelta(JsonNode e) {
        started();
        usage = usage.merge(e.get("usage"));
        String finish = AnthropicResponses.finishReason(e.path("delta").path("stop_reason").asText(null));
        if (finish != null) {
            finishReason = finish;
            emit(ChatJson.writeChunk(id, created, model, 0, null, null, null, finish, null));
        }
    }

    private void text(String text) {
        if (!text.isEmpty()) {
            emit(ChatJson.writeChunk(id, created, model, 0, null, text, null, null, null));
        }
    }

    private static ObjectNode toolCall(int index) {
        return JsonNodeFactory.instance.objectNode().put("index", index);
    }

    private void emit(byte[] chunk) {
        out.accept(chunk);
        chunks++;
    }

    private void started() {
        if (id == null) {
            throw invalid("sent content before 'message_start'");
        }
    }

    private JsonNode parse(String data) {
        JsonNode e;
        try {
            e = Json.MAPPER.readTree(data);
        } catch (IOException ex) {
            throw invalid("sent an event that is not JSON"); // no cause: the parser's message quotes the data
        }
        if (e == null || !e.isObject()) {
            throw invalid("sent an event that is not a JSON object");
        }
        return e;
    }

    private GatewayException invalid(String what) {
        return GatewayException.of(ErrorKind.UPSTREAM_INVALID_RESPONSE, "Provider '" + provider + "' " + what + ".");
    }
}
