package io.switchboard.core.net;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * An HTTP/1.1 client for calls to providers, on blocking sockets driven by the calling thread: no selector, no
 * worker thread and no reactive subscriber between the provider's bytes and the request thread, which is where the
 * JDK's {@code java.net.http} client spends a millisecond per exchange on a loopback relay (docs/performance.md). A
 * Lambda environment serves one request at a time, so HTTP/2's multiplexing has nothing to share: one kept-alive
 * connection per destination gives the same reuse.
 *
 * <p>Each request goes out in one write (headers and body together, {@code TCP_NODELAY}), TLS with the JDK's default
 * trust and hostname verification. Idle connections are kept up to {@link #idleTimeout} and at most
 * {@code maxIdlePerDestination} per destination. A request is never sent twice on its own, with one exception that
 * cannot duplicate work: when a kept-alive connection turns out closed by the server (the write fails, or the answer
 * ends before its first byte), the request goes once more on a new connection. Thread-safe.
 */
public final class Http1Client implements AutoCloseable {
    /** The {@code user-agent} sent when the caller sets none. */
    public static final String USER_AGENT = "switchboard";

    private final SocketFactory plain;
    private final SSLSocketFactory tls;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final int maxIdlePerDestination;
    private final Map<String, ArrayDeque<Http1Connection>> idle = new HashMap<>();
    private boolean closed;

    /**
     * A client connecting within {@code connectTimeout}, keeping at most {@code maxIdlePerDestination} idle
     * connections per destination for at most {@code idleTimeout}.
     */
    public Http1Client(Duration connectTimeout, Duration idleTimeout, int maxIdlePerDestination) {
        this(SocketFactory.getDefault(), (SSLSocketFactory) SSLSocketFactory.getDefault(), connectTimeout, idleTimeout,
                maxIdlePerDestination);
    }

    /** A client over the given socket factories (tests: a TLS factory trusting a test certificate). */
    public Http1Client(SocketFactory plain, SSLSocketFactory tls, Duration connectTimeout, Duration idleTimeout,
            int maxIdlePerDestination) {
        this.plain = Objects.requireNonNull(plain, "plain");
        this.tls = Objects.requireNonNull(tls, "tls");
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
        this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
        this.maxIdlePerDestination = maxIdlePerDestination;
    }

    /** A client with the defaults: 5 s to connect, connections idle at most 30 s, two per destination. */
    public static Http1Client withDefaults() {
        return new Http1Client(Duration.ofSeconds(5), Duration.ofSeconds(30), 2);
    }

    /** How long an idle connection is kept. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /**
     * A {@code POST} of {@code body} to {@code uri} with {@code headers} (names as given; {@code host},
     * {@code content-length} and {@code connection} are the client's). Nothing is sent until {@link Http1Call#execute}.
     */
    public Http1Call post(URI uri, Map<String, String> headers, byte[] body) {
        return new Http1Call(this, Http1Request.post(uri, headers, body));
    }

    /** Idle connections right now, all destinations together. */
    public synchronized int idleConnections() {
        int n = 0;
        for (ArrayDeque<Http1Connection> q : idle.values()) {
            n += q.size();
        }
        return n;
    }

    /** A kept-alive connection to {@code destination} that is still fresh, or null. */
    synchronized Http1Connection reuse(String destination, long now) {
        ArrayDeque<Http1Connection> q = idle.get(destination);
        while (q != null && !q.isEmpty()) {
            Http1Connection c = q.pollLast();
            if (now - c.idleSince() < idleTimeout.toNanos() && c.looksOpen()) {
                return c;
            }
            c.closeQuietly();
        }
        return null;
    }

    /** A new connection for {@code request}. */
    Http1Connection connect(Http1Request request) throws IOException {
        return Http1Connection.open(request, request.tls() ? tls : plain, connectTimeout);
    }

    /** Takes back a connection whose last answer was read to its end and may carry another request. */
    void release(Http1Connection c, long now) {
        synchronized (this) {
            if (!closed) {
                ArrayDeque<Http1Connection> q = idle.computeIfAbsent(c.destination(), k -> new ArrayDeque<>(2));
                if (q.size() < maxIdlePerDestination) {
                    c.idleSince(now);
                    q.addLast(c);
                    return;
                }
            }
        }
        c.closeQuietly();
    }

    /** Closes every idle connection (before a SnapStart snapshot: no socket survives a restore); stays usable. */
    public void evictAll() {
        ArrayDeque<Http1Connection> all = new ArrayDeque<>();
        synchronized (this) {
            idle.values().forEach(all::addAll);
            idle.clear();
        }
        all.forEach(Http1Connection::closeQuietly);
    }

    /** Closes every idle connection; connections in use close when their exchange ends. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        evictAll();
    }
}
