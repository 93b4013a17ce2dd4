package io.switchboard.core.http;

import java.io.ByteArrayOutputStream;
import java.util.Map;

/**
 * A {@link ResponseSink} that keeps the whole response, for edges that answer with one payload (API Gateway HTTP
 * API, tests): {@link #response()} once it ended.
 */
public final class BufferedResponse implements ResponseSink {
    private int status;
    private Map<String, String> headers;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream(512);
    private boolean ended;

    @Override
    public void begin(int status, Map<String, String> headers, long length) {
        body.reset(); // nothing reached the caller yet: a later answer (an error) replaces an earlier one
        ended = false;
        this.status = status;
        this.headers = headers;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        body.write(bytes, offset, length);
    }

    @Override
    public void flush() {
    }

    @Override
    public void end() {
        ended = true;
    }

    @Override
    public boolean committed() {
        return headers != null;
    }

    @Override
    public boolean streams() {
        return false;
    }

    /** Body bytes written so far. */
    public int size() {
        return body.size();
    }

    /** Whether {@link #end()} was called. */
    public boolean ended() {
        return ended;
    }

    /** The response written. */
    public GatewayResponse response() {
        if (headers == null) {
            throw new IllegalStateException("no response was written");
        }
        return new GatewayResponse(status, headers, body.toByteArray());
    }
}
