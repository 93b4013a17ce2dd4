package io.switchboard.core.net;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import javax.net.SocketFactory;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/** One socket to one destination, plain or TLS, with its buffered input; used by one exchange at a time. */
final class Http1Connection {
    private static final int BUFFER = 16 * 1024;

    private final Socket socket;
    private final String destination;
    private final InputStream in;
    private final OutputStream out;
    private long idleSince;
    private int timeoutMillis;

    private Http1Connection(Socket socket, String destination) throws IOException {
        this.socket = socket;
        this.destination = destination;
        this.in = new BufferedInputStream(socket.getInputStream(), BUFFER);
        this.out = socket.getOutputStream();
    }

    /** Connects to {@code request}'s destination within {@code connectTimeout}; TLS with hostname verification. */
    static Http1Connection open(Http1Request request, SocketFactory factory, Duration connectTimeout)
            throws IOException {
        Socket raw = new Socket();
        try {
            raw.setTcpNoDelay(true);
            raw.setKeepAlive(true);
            try {
                raw.connect(new InetSocketAddress(request.host(), request.port()),
                        (int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis())));
            } catch (SocketTimeoutException e) {
                HttpConnectTimeoutException t = new HttpConnectTimeoutException("connect timed out");
                t.initCause(e);
                throw t;
            }
            Socket s = raw;
            if (request.tls()) {
                SSLSocket ssl = (SSLSocket) ((SSLSocketFactory) factory).createSocket(raw, request.host(),
                        request.port(), true);
                SSLParameters p = ssl.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                p.setApplicationProtocols(new String[] {"http/1.1"});
                ssl.setSSLParameters(p);
                ssl.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis())));
                try {
                    ssl.startHandshake();
                } catch (SocketTimeoutException e) {
                    HttpConnectTimeoutException t = new HttpConnectTimeoutException("TLS handshake timed out");
                    t.initCause(e);
                    throw t;
                }
                s = ssl;
            }
            Http1Connection c = new Http1Connection(s, request.destination());
            c.soTimeout(0);
            return c;
        } catch (IOException | RuntimeException e) {
            try {
                raw.close();
            } catch (IOException ignored) {
                // already failing
            }
            throw e;
        }
    }

    String destination() {
        return destination;
    }

    long idleSince() {
        return idleSince;
    }

    void idleSince(long nanos) {
        idleSince = nanos;
    }

    /** Not closed by us, and no unread bytes waiting (a kept-alive connection has nothing to say until asked). */
    boolean looksOpen() {
        try {
            return !socket.isClosed() && !socket.isInputShutdown() && in.available() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    InputStream in() {
        return in;
    }

    /**
     * Bounds the next reads by what is left until {@code deadline} ({@link System#nanoTime}; 0: no bound), or
     * throws a timeout when nothing is left.
     */
    void until(long deadline) throws IOException {
        if (deadline == 0) {
            soTimeout(0);
            return;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new HttpTimeoutException("request timed out");
        }
        soTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000)));
    }

    private void soTimeout(int millis) throws IOException {
        if (millis != timeoutMillis) {
            socket.setSoTimeout(millis);
            timeoutMillis = millis;
        }
    }

    void closeQuietly() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
