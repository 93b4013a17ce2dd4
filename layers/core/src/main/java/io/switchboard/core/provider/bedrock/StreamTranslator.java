package io.switchboard.core.provider.bedrock;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.core.stream.StreamResult;
import io.switchboard.shared.chat.Usage;
import io.switchboard.shared.json.ChatJson;
import io.switchboard.shared.json.Json;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockDelta;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockDeltaEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockStartEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamMetadataEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamOutput;
import software.amazon.awssdk.services.bedrockruntime.model.MessageStartEvent;
import software.amazon.awssdk.services.bedrockruntime.model.MessageStopEvent;

/**
 * One ConverseStream's events as {@code chat.completion.chunk}s, at most one per event: {@code messageStart} → the
 * role chunk; a tool-use {@code contentBlockStart} → a tool call's first delta (index, id, name, empty arguments);
 * text and tool-input {@code contentBlockDelta}s → content and arguments deltas; {@code messageStop} → the finish
 * chunk; {@code metadata} → the usage chunk when the caller asked for it. Block stops, reasoning and citation deltas
 * give nothing. The stream is complete once {@code metadata} follows {@code messageStop}. One per stream, one thread.
 */
final class StreamTranslator {
    private final String id;
    private final long created;
    private final String model;
    private final boolean includeUsage;
    private final String provider;
    private final Map<Integer, Integer> toolIndex = new HashMap<>();
    private String finishReason;
    private boolean metadata;
    private Usage usage = Usage.NONE;
    private int chunks;

    /** A translator writing chunks with {@code id}, {@code created} and {@code model}. */
    StreamTranslator(String id, long created, String model, boolean includeUsage, String provider) {
        this.id = id;
        this.created = created;
        this.model = model;
        this.includeUsage = includeUsage;
        this.provider = provider;
    }

    /** The chunk {@code e} becomes, or null. */
    byte[] accept(ConverseStreamOutput e) {
        byte[] out = switch (e) {
            case MessageStartEvent s -> chunk(0, "assistant", "", null, null, null);
            case ContentBlockStartEvent s when s.start() != null && s.start().toolUse() != null -> {
                int index = toolIndex.size();
                toolIndex.put(s.contentBlockIndex(), index);
                ObjectNode call = ResponseMapper.toolCall(s.start().toolUse().toolUseId(), s.start().toolUse().name(),
                        "").put("index", index);
                yield chunk(0, null, null, Json.MAPPER.createArrayNode().add(call), null, null);
            }
            case ContentBlockDeltaEvent d -> delta(d.contentBlockIndex(), d.delta());
            case MessageStopEvent s -> {
                finishReason = ResponseMapper.finishReason(s.stopReasonAsString(), provider);
                yield chunk(0, null, null, null, finishReason, null);
            }
            case ConverseStreamMetadataEvent m -> {
                metadata = true;
                usage = ResponseMapper.usage(m.usage());
                yield includeUsage && m.usage() != null ? chunk(-1, null, null, null, null, usage) : null;
            }
            default -> null;
        };
        if (out != null) {
            chunks++;
        }
        return out;
    }

    private byte[] delta(Integer block, ContentBlockDelta d) {
        if (d == null) {
            return null;
        }
        if (d.text() != null) {
            return chunk(0, null, d.text(), null, null, null);
        }
        if (d.toolUse() != null && d.toolUse().input() != null) {
            Integer index = toolIndex.get(block);
            if (index == null) {
                index = toolIndex.size(); // a tool input without its start: give it a place of its own
                toolIndex.put(block, index);
            }
            ArrayNode calls = Json.MAPPER.createArrayNode();
            calls.addObject().put("index", index).putObject("function").put("arguments", d.toolUse().input());
            return chunk(0, null, null, calls, null, null);
        }
        return null;
    }

    private byte[] chunk(int index, String role, String content, ArrayNode toolCalls, String finish, Usage u) {
        return ChatJson.writeChunk(id, created, model, index, role, content, toolCalls, finish, u);
    }

    /** Whether the stream's terminal event came: {@code metadata} after {@code messageStop}. */
    boolean complete() {
        return finishReason != null && metadata;
    }

    /** The result of a {@link #complete()} stream. */
    StreamResult result() {
        return new StreamResult(usage, finishReason, chunks);
    }
}
