package io.switchboard.core.stream;

import io.switchboard.shared.chat.ChatResponse;

/**
 * Where a provider hands what it receives, as it receives it: the chunks of a streamed answer, in order, or one
 * complete answer for a request that was not streamed. The completion pipeline decides what a sink does with them
 * (write them to the caller, assemble them for the cache or for a non-streamed answer, or both).
 */
public interface StreamSink {
    /** One chunk of a streamed answer. */
    void chunk(Chunk chunk);

    /** A complete answer (a provider that answered a non-streamed request whole). */
    void completion(ChatResponse response);

    /**
     * A sink that hands each chunk's JSON to {@code onJson} (a whole answer is first replayed as chunks, without a
     * usage chunk).
     */
    static StreamSink chunks(java.util.function.Consumer<byte[]> onJson) {
        return new StreamSink() {
            @Override
            public void chunk(Chunk chunk) {
                onJson.accept(chunk.json());
            }

            @Override
            public void completion(ChatResponse response) {
                SseReplay.replay(response, false, this);
            }
        };
    }

    /** A sink that passes each event to both {@code first} and {@code second}, in that order. */
    static StreamSink tee(StreamSink first, StreamSink second) {
        return new StreamSink() {
            @Override
            public void chunk(Chunk chunk) {
                first.chunk(chunk);
                second.chunk(chunk);
            }

            @Override
            public void completion(ChatResponse response) {
                first.completion(response);
                second.completion(response);
            }
        };
    }
}
