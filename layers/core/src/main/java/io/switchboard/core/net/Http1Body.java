package io.switchboard.core.net;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;

/**
 * An answer's body as it arrives: fixed length, chunked (extensions and trailers skipped) or until the connection
 * closes. Reads honour the exchange's deadline. Once read to its end, the connection goes back to the client if it may
 * carry another request; closed early, the connection is closed.
 */
final class Http1Body extends InputStream {
    private static final long CHUNKED = -1;
    private static final long UNTIL_CLOSE = -2;

    private final Http1Call call;
    private final Http1Client client;
    private final Http1Connection connection;
    private final InputStream in;
    private final long deadline;
    private final boolean chunked;
    private final boolean untilClose;
    private final boolean keepAlive;
    private long remaining;
    private boolean eof;
    private boolean closed;

    Http1Body(Http1Call call, Http1Client client, Http1Connection connection, Http1Head head, long deadline)
            throws IOException {
        this.call = call;
        this.client = client;
        this.connection = connection;
        this.in = connection.in();
        this.deadline = deadline;
        long framing = head.framing();
        if (framing == -3) {
            throw new ProtocolException("invalid content-length");
        }
        this.chunked = framing == CHUNKED;
        this.untilClose = framing == UNTIL_CLOSE;
        this.keepAlive = head.keepAlive() && !untilClose;
        this.remaining = framing >= 0 ? framing : 0;
        if (framing == 0) {
            finish();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("body closed");
        }
        if (eof) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        try {
            if (chunked && remaining == 0) {
                remaining = nextChunk();
                if (remaining == 0) {
                    finish();
                    return -1;
                }
            }
            connection.until(deadline);
            int want = untilClose ? len : (int) Math.min(len, remaining);
            int n = in.read(b, off, want);
            if (n < 0) {
                if (untilClose) {
                    finish();
                    return -1;
                }
                throw new EOFException("the body ended early");
            }
            if (!untilClose) {
                remaining -= n;
                if (remaining == 0) {
                    if (chunked) {
                        crlf();
                    } else {
                        finish();
                    }
                }
            }
            return n;
        } catch (SocketTimeoutException e) {
            closeConnection();
            HttpTimeoutException t = new HttpTimeoutException("request timed out");
            t.initCause(e);
            throw t;
        } catch (IOException | RuntimeException e) {
            closeConnection();
            throw e;
        }
    }

    @Override
    public int available() throws IOException {
        if (eof || closed) {
            return 0;
        }
        int a = in.available();
        return untilClose ? a : (int) Math.min(a, remaining);
    }

    /** Whether the body was read to its end. */
    boolean complete() {
        return eof;
    }

    /** Reads what is left, at most {@code limit} bytes more (a longer body is cut and its connection closed). */
    byte[] readAll(int limit) throws IOException {
        byte[] out = readNBytes(limit);
        if (!eof && read() >= 0) {
            closeConnection();
            throw new ProtocolException("the body is longer than " + limit + " bytes");
        }
        return out;
    }

    /**
     * Ends the body. What is left of it is read only if it has already arrived (the end of a stream after its last
     * event, typically), so the connection can carry the next request; otherwise the connection is closed. Never
     * waits for the network.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            byte[] skip = new byte[512];
            int budget = 64 * 1024;
            while (!eof && !untilClose && budget > 0 && in.available() > 0) {
                int n = read(skip, 0, skip.length);
                if (n < 0) {
                    break;
                }
                budget -= n;
            }
        } catch (IOException | RuntimeException e) {
            // the connection is closed by the failed read
        }
        if (!eof) {
            closeConnection(); // the rest of the body is not here: the connection cannot carry another request
        }
        closed = true;
    }

    private long nextChunk() throws IOException {
        connection.until(deadline);
        String size = line();
        int semi = size.indexOf(';');
        String hex = (semi >= 0 ? size.substring(0, semi) : size).trim();
        long n;
        try {
            n = Long.parseLong(hex, 16);
        } catch (NumberFormatException e) {
            throw new ProtocolException("invalid chunk size");
        }
        if (n < 0) {
            throw new ProtocolException("invalid chunk size");
        }
        if (n == 0) {
            while (!line().isEmpty()) {
                // trailers: skipped
                connection.until(deadline);
            }
        }
        return n;
    }

    private void crlf() throws IOException {
        connection.until(deadline);
        if (!line().isEmpty()) {
            throw new ProtocolException("chunk not followed by CRLF");
        }
    }

    private String line() throws IOException {
        StringBuilder b = new StringBuilder(16);
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("the body ended early");
            }
            if (c == '\n') {
                int n = b.length();
                if (n > 0 && b.charAt(n - 1) == '\r') {
                    b.setLength(n - 1);
                }
                return b.toString();
            }
            if (b.length() > 4096) {
                throw new ProtocolException("chunk line too long");
            }
            b.append((char) c);
        }
    }

    /** The body ended: hand the connection back (or close it when it cannot carry another request). */
    private void finish() {
        eof = true;
        call.detach();
        if (keepAlive) {
            client.release(connection, System.nanoTime());
        } else {
            connection.closeQuietly();
        }
    }

    private void closeConnection() {
        call.detach();
        connection.closeQuietly();
    }
}
