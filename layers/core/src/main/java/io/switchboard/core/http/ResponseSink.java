package io.switchboard.core.http;

import java.util.Map;

/**
 * Where the gateway writes one response: status and headers once, then the body, flushed to the caller as it is
 * written when the edge can stream (an HTTP connection) or kept until the end when it cannot (an API Gateway
 * payload). Writes block while the caller is slow (the edge's own buffer is bounded), which is what keeps a stream's
 * memory bounded. A caller that went away makes every later call throw {@link CallerGoneException}.
 */
public interface ResponseSink {
    /**
     * Sends the status and headers.
     *
     * @param length the body's length, or -1 when it is not known yet (a stream)
     */
    void begin(int status, Map<String, String> headers, long length);

    /** Appends body bytes (after {@link #begin}). */
    void write(byte[] bytes, int offset, int length);

    /** Appends body bytes (after {@link #begin}). */
    default void write(byte[] bytes) {
        write(bytes, 0, bytes.length);
    }

    /** Sends what was written so far to the caller (a no-op where the edge cannot stream). */
    void flush();

    /** Ends the response. */
    void end();

    /** Whether {@link #begin} was called. */
    boolean committed();

    /**
     * Whether what is written reaches the caller before the end. A sink that does not stream can still be answered
     * anew: {@link #begin} again replaces everything written so far.
     */
    default boolean streams() {
        return true;
    }

    /** Writes a whole response at once. */
    default void send(int status, Map<String, String> headers, byte[] body) {
        begin(status, headers, body.length);
        write(body);
        end();
    }
}
