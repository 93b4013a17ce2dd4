package io.switchboard.core.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.switchboard.shared.chat.ChatChoice;
import io.switchboard.shared.chat.ChatMessage;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.chat.Role;
import io.switchboard.shared.chat.Usage;
import io.switchboard.shared.json.ChatResponseReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Assembles the complete {@code chat.completion} a provider's events add up to: the chunks of a stream (each read
 * through its {@link Chunk#node()}, so a chunk the provider already parsed is not parsed again), or a whole answer
 * taken as it is. It is both the answer to a non-streamed request and what a streamed one stores in the cache.
 * {@link #result()} is null for a stream that did not finish (a choice without {@code finish_reason}, or a chunk it
 * could not read): partial streams are never stored.
 */
public final class StreamAssembler implements StreamSink {
    private static final class Choice {
        final StringBuilder content = new StringBuilder();
        final TreeMap<Integer, ObjectNode> toolCalls = new TreeMap<>();
        String finishReason;
        boolean hasContent;
    }

    private final TreeMap<Integer, Choice> choices = new TreeMap<>();
    private String id;
    private long created;
    private String model;
    private String fingerprint;
    private Usage usage = Usage.NONE;
    private boolean broken;
    private ChatResponse whole;

    /** An empty assembler. */
    public StreamAssembler() {
    }

    @Override
    public void chunk(Chunk chunk) {
        if (broken) {
            return;
        }
        try {
            absorb(chunk.node());
        } catch (RuntimeException e) {
            broken = true;
        }
    }

    @Override
    public void completion(ChatResponse response) {
        whole = response;
    }

    private void absorb(JsonNode c) {
        if (id == null) {
            id = c.path("id").asText(null);
            created = c.path("created").asLong(0);
            model = c.path("model").asText(null);
        }
        if (c.hasNonNull("system_fingerprint")) {
            fingerprint = c.get("system_fingerprint").asText();
        }
        if (c.path("usage").isObject()) {
            usage = ChatResponseReader.usage(c.get("usage"));
        }
        for (JsonNode ch : c.path("choices")) {
            Choice choice = choices.computeIfAbsent(ch.path("index").asInt(0), i -> new Choice());
            JsonNode delta = ch.path("delta");
            if (delta.path("content").isTextual()) {
                choice.content.append(delta.get("content").textValue());
                choice.hasContent = true;
            }
            for (JsonNode tc : delta.path("tool_calls")) {
                int index = tc.path("index").asInt(0);
                ObjectNode call = choice.toolCalls.computeIfAbsent(index, i -> {
                    ObjectNode n = JsonNodeFactory.instance.objectNode();
                    n.putObject("function").put("name", "").put("arguments", "");
                    return n;
                });
                if (tc.hasNonNull("id")) {
                    call.put("id", tc.get("id").asText());
                }
                if (tc.hasNonNull("type")) {
                    call.put("type", tc.get("type").asText());
                }
                ObjectNode fn = (ObjectNode) call.get("function");
                JsonNode f = tc.path("function");
                if (f.hasNonNull("name")) {
                    fn.put("name", fn.get("name").asText() + f.get("name").asText());
                }
                if (f.hasNonNull("arguments")) {
                    fn.put("arguments", fn.get("arguments").asText() + f.get("arguments").asText());
                }
            }
            if (ch.hasNonNull("finish_reason")) {
                choice.finishReason = ch.get("finish_reason").asText();
            }
        }
    }

    /** The complete completion, or null when the stream is not complete or could not be read. */
    public ChatResponse result() {
        if (whole != null) {
            return whole;
        }
        if (broken || id == null || model == null || choices.isEmpty()) {
            return null;
        }
        List<ChatChoice> out = new ArrayList<>(choices.size());
        for (Map.Entry<Integer, Choice> e : choices.entrySet()) {
            Choice c = e.getValue();
            if (c.finishReason == null) {
                return null;
            }
            ArrayNode calls = null;
            if (!c.toolCalls.isEmpty()) {
                calls = JsonNodeFactory.instance.arrayNode();
                for (ObjectNode call : c.toolCalls.values()) {
                    calls.add(call);
                }
            }
            JsonNode content = c.hasContent || calls == null ? TextNode.valueOf(c.content.toString()) : null;
            out.add(new ChatChoice(e.getKey(), new ChatMessage(Role.ASSISTANT, content, null, null, calls, Map.of()),
                    c.finishReason, null));
        }
        return new ChatResponse(id, created, model, out, usage, fingerprint, Map.of());
    }
}
