package io.switchboard.core.net;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * An answer of an {@link Http1Client}: its status, headers and body. Read the body to its end (or {@link #bytes}) and
 * close it: the connection then carries the next request; closed before its end, the connection is closed.
 */
public final class Http1Response implements Closeable {
    private final Http1Head head;
    private final Http1Body body;

    Http1Response(Http1Head head, Http1Body body) {
        this.head = head;
        this.body = body;
    }

    /** The status code. */
    public int status() {
        return head.status();
    }

    /** The first value of header {@code name} (any case), or null. */
    public String header(String name) {
        return head.header(name.toLowerCase(java.util.Locale.ROOT));
    }

    /** Every header: name, value, name, value… (names lower case, in the order received). */
    public List<String> headers() {
        return head.headers();
    }

    /** The body as it arrives. */
    public InputStream body() {
        return body;
    }

    /** The whole body, at most {@code limit} bytes ({@link java.net.ProtocolException} beyond), then closed. */
    public byte[] bytes(int limit) throws IOException {
        try {
            return body.readAll(limit);
        } finally {
            body.close();
        }
    }

    @Override
    public void close() {
        body.close();
    }
}
