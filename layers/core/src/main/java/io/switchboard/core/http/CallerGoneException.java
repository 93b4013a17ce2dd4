package io.switchboard.core.http;

/**
 * The caller closed the connection while the gateway was still answering: nothing more can be written, and whatever
 * produces the answer (the provider's stream) should stop.
 */
public final class CallerGoneException extends RuntimeException {
    /** The failure the edge saw when writing. */
    public CallerGoneException(Throwable cause) {
        super("the caller closed the connection", cause, false, false);
    }
}
