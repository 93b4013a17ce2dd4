package io.switchboard.core.stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.util.Objects;

/**
 * One {@code chat.completion.chunk}: its JSON bytes as they go to the caller, and its parsed tree, read at most once
 * whoever asks first (the provider that inspected it, the assembler that caches it). A class rather than a record
 * because the tree is memoized; it belongs to one stream and one thread.
 */
public final class Chunk {
    private final byte[] json;
    private JsonNode node;

    private Chunk(byte[] json, JsonNode node) {
        this.json = Objects.requireNonNull(json, "json");
        this.node = node;
    }

    /** A chunk whose tree is parsed only if someone asks for it. */
    public static Chunk of(byte[] json) {
        return new Chunk(json, null);
    }

    /** A chunk already parsed into {@code node} (never parsed again). */
    public static Chunk parsed(byte[] json, JsonNode node) {
        return new Chunk(json, Objects.requireNonNull(node, "node"));
    }

    /** The chunk's JSON, without SSE framing. */
    public byte[] json() {
        return json;
    }

    /** The parsed chunk (parsed on first call). */
    public JsonNode node() {
        JsonNode n = node;
        if (n == null) {
            try {
                n = Json.MAPPER.readTree(json);
            } catch (IOException e) {
                throw GatewayException.of(ErrorKind.UPSTREAM_INVALID_RESPONSE, "A stream chunk is not JSON.");
            }
            node = n;
        }
        return n;
    }
}
