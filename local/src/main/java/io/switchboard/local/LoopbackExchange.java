package io.switchboard.local;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One request and its answer on a {@link LoopbackConnection}. The answer's head is written with its body (one write
 * for a length-delimited answer); a chunked answer's head goes out at once, each {@code flush} of the body sends what
 * was written. Once closed, the exchange refuses further writes, so a handler thread that outlives its exchange (an
 * invocation the runner gave up on) cannot corrupt the connection's next answer.
 */
final class LoopbackExchange extends HttpExchange {
    private final HttpContext context;
    private final Socket socket;
    private final String method;
    private final URI uri;
    private final String protocol;
    private final Headers requestHeaders;
    private final Headers responseHeaders = new Headers();
    private final OutputStream out;
    private final Map<String, Object> attributes = new HashMap<>(2);
    private InputStream requestBody;
    private OutputStream responseBody;
    private volatile int status = -1;
    private volatile boolean closed;
    private boolean complete;
    private boolean closesConnection;

    LoopbackExchange(HttpContext context, Socket socket, String method, URI uri, String protocol, Headers headers,
            InputStream body, OutputStream out) {
        this.context = context;
        this.socket = socket;
        this.method = method;
        this.uri = uri;
        this.protocol = protocol;
        this.requestHeaders = headers;
        this.requestBody = body;
        this.out = out;
    }

    boolean headersSent() {
        return status >= 0;
    }

    /** Whether the answer was written whole (its connection may carry another request). */
    boolean complete() {
        return complete;
    }

    /** Whether the answer said {@code Connection: close}. */
    boolean closesConnection() {
        return closesConnection;
    }

    @Override
    public Headers getRequestHeaders() {
        return requestHeaders;
    }

    @Override
    public Headers getResponseHeaders() {
        return responseHeaders;
    }

    @Override
    public URI getRequestURI() {
        return uri;
    }

    @Override
    public String getRequestMethod() {
        return method;
    }

    @Override
    public HttpContext getHttpContext() {
        return context;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            if (status < 0) {
                return; // nothing sent: the connection's loop answers for the handler
            }
            if (responseBody != null) {
                responseBody.close();
            }
            out.flush();
        } catch (IOException e) {
            complete = false;
        } finally {
            if (status >= 0) {
                closed = true;
            }
        }
    }

    @Override
    public InputStream getRequestBody() {
        return requestBody;
    }

    @Override
    public OutputStream getResponseBody() {
        if (responseBody == null) {
            throw new IllegalStateException("sendResponseHeaders first");
        }
        return responseBody;
    }

    @Override
    public synchronized void sendResponseHeaders(int code, long length) throws IOException {
        if (closed) {
            throw new IOException("exchange closed");
        }
        if (status >= 0) {
            throw new IOException("headers already sent");
        }
        boolean head = method.equals("HEAD");
        boolean noBody = code == 204 || code == 304 || (code >= 100 && code < 200);
        StringBuilder b = new StringBuilder(256).append("HTTP/1.1 ").append(code).append(' ').append(reason(code))
                .append("\r\n");
        for (Map.Entry<String, List<String>> h : responseHeaders.entrySet()) {
            String name = h.getKey();
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("content-length") || lower.equals("transfer-encoding")) {
                continue;
            }
            if (lower.equals("connection") && h.getValue().stream().anyMatch(v -> v.equalsIgnoreCase("close"))) {
                closesConnection = true;
            }
            for (String v : h.getValue()) {
                b.append(name).append(": ").append(v).append("\r\n");
            }
        }
        boolean chunked = false;
        long fixed;
        if (noBody) {
            fixed = 0;
        } else if (length > 0) {
            b.append("Content-Length: ").append(length).append("\r\n");
            fixed = head ? 0 : length;
        } else if (length == 0 && !head) {
            b.append("Transfer-Encoding: chunked\r\n");
            chunked = true;
            fixed = 0;
        } else {
            b.append("Content-Length: 0\r\n");
            fixed = 0;
        }
        b.append("\r\n");
        status = code;
        out.write(b.toString().getBytes(StandardCharsets.UTF_8));
        if (chunked) {
            out.flush(); // a stream's head reaches the caller before its first event
            responseBody = new ChunkedOut();
        } else {
            responseBody = new FixedOut(fixed);
        }
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return (InetSocketAddress) socket.getRemoteSocketAddress();
    }

    @Override
    public int getResponseCode() {
        return status;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public String getProtocol() {
        return protocol;
    }

    @Override
    public Object getAttribute(String name) {
        return attributes.get(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        attributes.put(name, value);
    }

    @Override
    public void setStreams(InputStream i, OutputStream o) {
        if (i != null) {
            requestBody = i;
        }
        if (o != null) {
            responseBody = o;
        }
    }

    @Override
    public HttpPrincipal getPrincipal() {
        return null;
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("exchange closed");
        }
    }

    /** A length-delimited body: exactly its length, or the connection cannot be reused. */
    private final class FixedOut extends OutputStream {
        private long remaining;
        private boolean done;

        FixedOut(long length) {
            this.remaining = length;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            synchronized (LoopbackExchange.this) {
                checkOpen();
                if (done) {
                    throw new IOException("body closed");
                }
                if (len > remaining) {
                    throw new IOException("more bytes than the announced length");
                }
                out.write(b, off, len);
                remaining -= len;
            }
        }

        @Override
        public void flush() throws IOException {
            synchronized (LoopbackExchange.this) {
                checkOpen();
                out.flush();
            }
        }

        @Override
        public void close() throws IOException {
            synchronized (LoopbackExchange.this) {
                if (done) {
                    return;
                }
                done = true;
                complete = remaining == 0;
                out.flush();
            }
        }
    }

    /** A chunked body: each write one chunk, sent on flush; close writes the last chunk. */
    private final class ChunkedOut extends OutputStream {
        private boolean done;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return;
            }
            synchronized (LoopbackExchange.this) {
                checkOpen();
                if (done) {
                    throw new IOException("body closed");
                }
                out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(b, off, len);
                out.write('\r');
                out.write('\n');
            }
        }

        @Override
        public void flush() throws IOException {
            synchronized (LoopbackExchange.this) {
                checkOpen();
                out.flush();
            }
        }

        @Override
        public void close() throws IOException {
            synchronized (LoopbackExchange.this) {
                if (done) {
                    return;
                }
                done = true;
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                complete = true;
            }
        }
    }

    private static String reason(int code) {
        return switch (code) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 413 -> "Payload Too Large";
            case 415 -> "Unsupported Media Type";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Status";
        };
    }
}
