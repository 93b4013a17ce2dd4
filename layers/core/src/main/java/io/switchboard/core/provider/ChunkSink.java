package io.switchboard.core.provider;

/** Receives the {@code chat.completion.chunk} JSON documents of a stream, in order. */
@FunctionalInterface
public interface ChunkSink {
    /** One chunk's JSON (without the SSE framing). */
    void chunk(byte[] json);
}
