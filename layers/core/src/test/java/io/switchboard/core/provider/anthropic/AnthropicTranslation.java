package io.switchboard.core.provider.anthropic;

import io.switchboard.shared.chat.ChatRequest;
import java.time.InstantSource;
import java.util.function.Consumer;

/**
 * The package's translation steps, public for the JMH benchmarks in {@code bench} (which take the layer's test jar),
 * so that the translators themselves can stay package-private in the deployed layer.
 */
public final class AnthropicTranslation {
    private AnthropicTranslation() {
    }

    /** The Messages request body for {@code r}, as {@link AnthropicProvider} sends it. */
    public static byte[] request(ChatRequest r, String model, boolean stream) {
        return AnthropicRequests.write(r, model, stream, AnthropicProvider.DEFAULT_MAX_TOKENS, "bench");
    }

    /** A stream translator writing each chunk to {@code out}. */
    public static Stream stream(boolean includeUsage, Consumer<byte[]> out) {
        return new Stream(new AnthropicStream("bench", InstantSource.system(), includeUsage, out));
    }

    /** One stream's translator. */
    public static final class Stream {
        private final AnthropicStream stream;

        private Stream(AnthropicStream stream) {
            this.stream = stream;
        }

        /** Translates one event ({@code event:} name and data); true for the terminal one. */
        public boolean accept(String event, String data) {
            return stream.accept(event, data);
        }
    }
}
