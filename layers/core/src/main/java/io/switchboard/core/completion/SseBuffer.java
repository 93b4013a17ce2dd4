package io.switchboard.core.completion;

import io.switchboard.core.provider.ChunkSink;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Collects chunks into a complete {@code text/event-stream} body ending with {@code data: [DONE]}. */
public final class SseBuffer implements ChunkSink {
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(1024);

    @Override
    public void chunk(byte[] json) {
        out.writeBytes(DATA);
        out.writeBytes(json);
        out.writeBytes(END);
    }

    /** The body so far, terminated by {@code data: [DONE]}. */
    public byte[] finish() {
        out.writeBytes(DONE);
        return out.toByteArray();
    }
}
