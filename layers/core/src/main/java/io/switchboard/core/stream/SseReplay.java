package io.switchboard.core.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.shared.chat.ChatChoice;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.json.ChatJson;

/**
 * Replays a stored completion as the chunks a provider would have streamed: per choice a role chunk, the content in
 * pieces, the tool calls, a finish chunk; and a final usage chunk when the caller asked for
 * {@code stream_options.include_usage}.
 */
final class SseReplay {
    private static final int PIECE = 256;

    private SseReplay() {
    }

    private static Chunk chunk(byte[] json) {
        return Chunk.of(json);
    }

    /** Writes {@code response}'s chunks to {@code sink}. */
    static void replay(ChatResponse response, boolean includeUsage, StreamSink sink) {
        String id = response.id();
        long created = response.created();
        String model = response.model();
        for (ChatChoice c : response.choices()) {
            int i = c.index();
            JsonNode content = c.message().content();
            String text = content != null && content.isTextual() ? content.textValue() : null;
            sink.chunk(chunk(ChatJson.writeChunk(id, created, model, i, "assistant", text == null ? null : "", null, null,
                    null)));
            if (text != null) {
                for (int at = 0; at < text.length(); at += PIECE) {
                    int end = Math.min(text.length(), at + PIECE);
                    if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                        end--;
                    }
                    sink.chunk(chunk(ChatJson.writeChunk(id, created, model, i, null, text.substring(at, end), null, null,
                            null)));
                    at = end - PIECE;
                }
            }
            if (c.message().toolCalls() != null && c.message().toolCalls().isArray()) {
                ArrayNode calls = JsonNodeFactory.instance.arrayNode();
                int index = 0;
                for (JsonNode call : c.message().toolCalls()) {
                    ObjectNode copy = call.isObject() ? ((ObjectNode) call).deepCopy()
                            : JsonNodeFactory.instance.objectNode();
                    copy.put("index", index++);
                    calls.add(copy);
                }
                sink.chunk(chunk(ChatJson.writeChunk(id, created, model, i, null, null, calls, null, null)));
            }
            sink.chunk(chunk(ChatJson.writeChunk(id, created, model, i, null, null, null,
                    c.finishReason() == null ? "stop" : c.finishReason(), null)));
        }
        if (includeUsage) {
            sink.chunk(chunk(ChatJson.writeChunk(id, created, model, -1, null, null, null, null, response.usage())));
        }
    }
}
