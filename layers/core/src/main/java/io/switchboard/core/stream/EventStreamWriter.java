package io.switchboard.core.stream;

import io.switchboard.core.Ticker;
import io.switchboard.core.http.CallerGoneException;
import io.switchboard.core.http.ResponseSink;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.json.ChatJson;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Writes a stream to the caller as {@code text/event-stream}: each chunk as one {@code data:} event, flushed at once;
 * {@code data: [DONE]} only when the stream completed; an OpenAI {@code error} event (and no {@code [DONE]}) when it
 * failed after the first byte; {@code : keep-alive} comments while there is nothing to send. The response is
 * committed (status 200 and headers) by the first thing written, so an error before that still gets its own status.
 * Thread-safe: the request thread writes chunks while a {@link StreamWatch} may write keep-alives.
 */
public final class EventStreamWriter implements StreamSink, StreamWatch.Caller {
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

    private final ResponseSink sink;
    private final Supplier<Map<String, String>> headers;
    private final Ticker ticker;
    private final boolean includeUsage;
    private final long maxBytes;
    private long written;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile long lastWrite;
    private long firstByteNanos = -1;
    private int chunks;
    private int keepAlives;
    private boolean ended;
    private boolean gone;

    /**
     * A writer to {@code sink}.
     *
     * @param headers the response headers, asked for once, when the response is committed
     * @param includeUsage whether a replayed whole answer ends with a usage chunk ({@code stream_options})
     * @param maxBytes most bytes a sink that does not stream may hold (a platform payload limit); past it the
     *     stream fails with {@code response_too_large}
     */
    public EventStreamWriter(ResponseSink sink, Supplier<Map<String, String>> headers, Ticker ticker,
            boolean includeUsage, long maxBytes) {
        this.maxBytes = sink.streams() ? Long.MAX_VALUE : maxBytes;
        this.sink = sink;
        this.headers = headers;
        this.ticker = ticker;
        this.includeUsage = includeUsage;
        this.lastWrite = ticker.read();
    }

    @Override
    public void chunk(Chunk chunk) {
        byte[] json = chunk.json();
        lock.lock();
        try {
            written += json.length + DATA.length + END.length;
            if (written > maxBytes) {
                throw GatewayException.of(io.switchboard.shared.ErrorKind.RESPONSE_TOO_LARGE, "The streamed "
                        + "completion is larger than the " + maxBytes + " bytes this route can return; use the "
                        + "streaming route or ask for fewer tokens.");
            }
            commit();
            guarded(() -> {
                sink.write(DATA);
                sink.write(json);
                sink.write(END);
                sink.flush();
            });
            chunks++;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long lastWriteNanos() {
        return lastWrite;
    }

    @Override
    public void completion(ChatResponse response) {
        SseReplay.replay(response, includeUsage, this);
    }

    /** A comment line, so intermediaries see traffic while the provider is silent; false once the stream ended. */
    @Override
    public boolean keepAlive() {
        lock.lock();
        try {
            if (ended || gone) {
                return false;
            }
            commit();
            guarded(() -> {
                sink.write(KEEP_ALIVE);
                sink.flush();
            });
            keepAlives++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Ends a complete stream with {@code data: [DONE]}. */
    public void done() {
        lock.lock();
        try {
            commit();
            guarded(() -> {
                sink.write(DONE);
                sink.flush();
                sink.end();
            });
            ended = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends a stream that failed after its first byte: one event carrying OpenAI's {@code error} object, no
     * {@code [DONE]}. Does nothing if the caller is gone.
     */
    public void fail(GatewayException e) {
        lock.lock();
        try {
            if (ended || gone) {
                return;
            }
            byte[] error = ChatJson.writeError(e);
            guarded(() -> {
                sink.write(DATA);
                sink.write(error);
                sink.write(END);
                sink.flush();
                sink.end();
            });
            ended = true;
        } catch (CallerGoneException ignored) {
            // nobody is reading any more
        } finally {
            lock.unlock();
        }
    }

    private void commit() {
        if (!sink.committed()) {
            if (gone) {
                throw new CallerGoneException(null);
            }
            guarded(() -> sink.begin(200, headers.get(), -1));
            firstByteNanos = ticker.read();
        }
    }

    private void guarded(Runnable write) {
        if (gone) {
            throw new CallerGoneException(null);
        }
        try {
            write.run();
            lastWrite = ticker.read();
        } catch (CallerGoneException e) {
            gone = true;
            throw e;
        }
    }

    /** Whether the caller has received the first byte (the status can no longer change). */
    public boolean committed() {
        return sink.committed();
    }

    /** Whether writing failed because the caller went away. */
    public boolean callerGone() {
        return gone;
    }

    /** When the caller's first byte was sent ({@link Ticker} time), or -1. */
    public long firstByteNanos() {
        return firstByteNanos;
    }

    /** Chunks written. */
    public int chunks() {
        return chunks;
    }

    /** Keep-alive comments written. */
    public int keepAlives() {
        return keepAlives;
    }
}
