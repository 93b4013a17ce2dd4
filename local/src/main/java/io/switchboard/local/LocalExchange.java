package io.switchboard.local;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;

/**
 * The caller's exchange as Lambda Web Adapter hands it to a function's HTTP application: the same request and the
 * same response stream, with the invocation's context added as the adapter adds it ({@code x-amzn-lambda-context},
 * {@code x-amzn-request-context}; a caller's own values of those headers are replaced). Remembers whether the
 * response has begun, so a timed-out invocation is answered as Lambda answers it.
 */
final class LocalExchange extends HttpExchange {
    private final HttpExchange delegate;
    private final Headers requestHeaders = new Headers();
    private final java.util.concurrent.atomic.AtomicBoolean begun = new java.util.concurrent.atomic.AtomicBoolean();

    LocalExchange(HttpExchange delegate, Map<String, String> added) {
        this.delegate = delegate;
        delegate.getRequestHeaders().forEach((k, v) -> requestHeaders.put(k, new java.util.ArrayList<>(v)));
        added.forEach(requestHeaders::set);
    }

    /** Whether the application sent its status and headers. */
    boolean begun() {
        return begun.get();
    }

    /** Claims the response for the runner (a timeout's 500); false when the application already began it. */
    boolean claim() {
        return begun.compareAndSet(false, true);
    }

    @Override
    public Headers getRequestHeaders() {
        return requestHeaders;
    }

    @Override
    public Headers getResponseHeaders() {
        return delegate.getResponseHeaders();
    }

    @Override
    public URI getRequestURI() {
        return delegate.getRequestURI();
    }

    @Override
    public String getRequestMethod() {
        return delegate.getRequestMethod();
    }

    @Override
    public HttpContext getHttpContext() {
        return delegate.getHttpContext();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public InputStream getRequestBody() {
        return delegate.getRequestBody();
    }

    @Override
    public OutputStream getResponseBody() {
        return delegate.getResponseBody();
    }

    @Override
    public void sendResponseHeaders(int rCode, long responseLength) throws IOException {
        if (!begun.compareAndSet(false, true)) {
            throw new IOException("the response was already sent (the invocation timed out)");
        }
        delegate.sendResponseHeaders(rCode, responseLength);
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return delegate.getRemoteAddress();
    }

    @Override
    public int getResponseCode() {
        return delegate.getResponseCode();
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return delegate.getLocalAddress();
    }

    @Override
    public String getProtocol() {
        return delegate.getProtocol();
    }

    @Override
    public Object getAttribute(String name) {
        return delegate.getAttribute(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        delegate.setAttribute(name, value);
    }

    @Override
    public void setStreams(InputStream i, OutputStream o) {
        delegate.setStreams(i, o);
    }

    @Override
    public HttpPrincipal getPrincipal() {
        return delegate.getPrincipal();
    }
}
