package io.switchboard.completion;

import com.sun.net.httpserver.HttpExchange;
import io.switchboard.core.http.CallerGoneException;
import io.switchboard.core.http.ResponseSink;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * A {@link ResponseSink} over an HTTP exchange: a known length is sent as {@code content-length}, an unknown one
 * (a stream) chunked, each {@link #flush()} one chunk on the wire. The exchange's own buffer is bounded, so a slow
 * caller blocks the writer. Any I/O failure means the caller went away.
 */
final class ExchangeSink implements ResponseSink {
    private final HttpExchange exchange;
    private OutputStream out;

    ExchangeSink(HttpExchange exchange) {
        this.exchange = exchange;
    }

    @Override
    public void begin(int status, Map<String, String> headers, long length) {
        if (out != null) {
            throw new IllegalStateException("response already begun");
        }
        var h = exchange.getResponseHeaders();
        headers.forEach(h::set);
        try {
            exchange.sendResponseHeaders(status, length < 0 ? 0 : length == 0 ? -1 : length);
        } catch (IOException e) {
            throw new CallerGoneException(e);
        }
        out = exchange.getResponseBody();
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        try {
            out.write(bytes, offset, length);
        } catch (IOException e) {
            throw new CallerGoneException(e);
        }
    }

    @Override
    public void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new CallerGoneException(e);
        }
    }

    @Override
    public void end() {
        try {
            out.close();
        } catch (IOException e) {
            throw new CallerGoneException(e);
        }
    }

    @Override
    public boolean committed() {
        return out != null;
    }
}
