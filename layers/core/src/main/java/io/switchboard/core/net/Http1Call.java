package io.switchboard.core.net;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * One request of an {@link Http1Client}: {@link #execute} sends it and waits for the answer's head on the calling
 * thread; {@link #abort} (from any thread: a watchdog, a caller that went away) closes its connection at any point,
 * which makes a blocked {@code execute} or body read fail at once. {@link #close} is {@link #abort}.
 */
public final class Http1Call implements Closeable {
    private final Http1Client client;
    private final Http1Request request;
    private volatile Http1Connection connection;
    private volatile boolean aborted;

    Http1Call(Http1Client client, Http1Request request) {
        this.client = client;
        this.request = request;
    }

    /**
     * Sends the request and reads the answer's head.
     *
     * @param timeout bound of the whole exchange, the body's reads included; null for none (the caller watches it
     *     and aborts)
     * @throws java.net.http.HttpConnectTimeoutException when connecting takes longer than the client allows
     * @throws HttpTimeoutException when {@code timeout} passes
     * @throws IOException any other failure, an abort included
     */
    public Http1Response execute(Duration timeout) throws IOException {
        long deadline = timeout == null ? 0 : System.nanoTime() + Math.max(1, timeout.toNanos());
        Http1Connection c = client.reuse(request.destination(), System.nanoTime());
        boolean reused = c != null;
        while (true) {
            if (c == null) {
                c = client.connect(request);
            }
            connection = c;
            if (aborted) {
                c.closeQuietly();
                throw new IOException("aborted");
            }
            boolean answered = false;
            try {
                c.write(request.bytes());
                c.until(deadline);
                Http1Head head = Http1Head.read(c.in());
                answered = true;
                return new Http1Response(head, new Http1Body(this, client, c, head, deadline));
            } catch (SocketTimeoutException e) {
                c.closeQuietly();
                HttpTimeoutException t = new HttpTimeoutException("request timed out");
                t.initCause(e);
                throw t;
            } catch (Http1Head.NoAnswer e) {
                c.closeQuietly();
                if (reused && !aborted) {
                    // a kept-alive connection the server had closed: nothing was processed, send on a new one
                    reused = false;
                    c = null;
                    continue;
                }
                throw aborted ? new IOException("aborted", e) : e;
            } catch (IOException | RuntimeException e) {
                c.closeQuietly();
                if (aborted && !(e instanceof InterruptedIOException)) {
                    throw new IOException("aborted", e);
                }
                if (reused && !answered && !aborted && e instanceof java.net.SocketException
                        && !(e instanceof java.net.ConnectException)) {
                    // the write or the first read of a stale kept-alive connection failed (reset, broken pipe)
                    reused = false;
                    c = null;
                    continue;
                }
                throw e;
            }
        }
    }

    /** The body was read to its end: the connection is no longer this call's to close. */
    void detach() {
        connection = null;
    }

    /** Closes the call's connection, whatever it is doing; idempotent. */
    public void abort() {
        aborted = true;
        Http1Connection c = connection;
        if (c != null) {
            c.closeQuietly();
        }
    }

    /** Whether {@link #abort} was called. */
    public boolean aborted() {
        return aborted;
    }

    @Override
    public void close() {
        abort();
    }
}
