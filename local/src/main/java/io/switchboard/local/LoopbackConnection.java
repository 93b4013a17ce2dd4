package io.switchboard.local;

import com.sun.net.httpserver.Headers;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One connection of the {@link LoopbackHttpServer}: reads a request, runs its context's handler on this thread,
 * finishes the answer, and goes on with the next request while both sides keep the connection alive.
 */
final class LoopbackConnection {
    static final int MAX_LINE = 16 * 1024;
    static final int MAX_HEAD = 64 * 1024;
    /** Unread request body drained after a handler, at most, to keep the connection. */
    private static final long DRAIN_LIMIT = 1 << 20;

    private final LoopbackHttpServer server;
    private final Socket socket;

    LoopbackConnection(LoopbackHttpServer server, Socket socket) {
        this.server = server;
        this.socket = socket;
    }

    void serve() {
        try {
            InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            while (true) {
                int[] budget = {MAX_HEAD};
                String line;
                try {
                    line = line(in, budget, true);
                } catch (EOFException e) {
                    return;
                }
                if (line == null) {
                    return; // the client closed the connection between requests
                }
                if (!handleOne(line, in, out, budget)) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the connection ends
        }
    }

    /** One request; true when the connection may carry another. */
    private boolean handleOne(String requestLine, InputStream in, OutputStream out, int[] budget) throws IOException {
        int sp1 = requestLine.indexOf(' ');
        int sp2 = requestLine.lastIndexOf(' ');
        if (sp1 <= 0 || sp2 <= sp1) {
            return reject(out, 400, "Bad Request");
        }
        String method = requestLine.substring(0, sp1);
        String target = requestLine.substring(sp1 + 1, sp2);
        String protocol = requestLine.substring(sp2 + 1);
        if (!protocol.equals("HTTP/1.1") && !protocol.equals("HTTP/1.0")) {
            return reject(out, 505, "HTTP Version Not Supported");
        }
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if (c < 'A' || c > 'Z') {
                return reject(out, 400, "Bad Request");
            }
        }
        Headers headers = new Headers();
        while (true) {
            String h = line(in, budget, false);
            if (h.isEmpty()) {
                break;
            }
            int colon = h.indexOf(':');
            if (colon <= 0 || h.charAt(0) == ' ' || h.charAt(0) == '\t') {
                return reject(out, 400, "Bad Request");
            }
            headers.add(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
        }
        URI uri;
        try {
            uri = target.startsWith("/") ? new URI(target) : null;
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.getRawPath() == null) {
            return reject(out, 400, "Bad Request");
        }
        String te = headers.getFirst("Transfer-Encoding");
        String cl = headers.getFirst("Content-Length");
        boolean chunked = te != null;
        if (chunked && !te.toLowerCase(Locale.ROOT).equals("chunked")) {
            return reject(out, 501, "Not Implemented");
        }
        long length = 0;
        if (cl != null) {
            if (chunked || headers.get("Content-Length").size() > 1) {
                return reject(out, 400, "Bad Request");
            }
            try {
                length = Long.parseLong(cl.trim());
            } catch (NumberFormatException e) {
                return reject(out, 400, "Bad Request");
            }
            if (length < 0) {
                return reject(out, 400, "Bad Request");
            }
        }
        String connection = headers.getFirst("Connection");
        boolean keepAlive = protocol.equals("HTTP/1.1")
                ? connection == null || !connection.toLowerCase(Locale.ROOT).contains("close")
                : connection != null && connection.toLowerCase(Locale.ROOT).contains("keep-alive");
        LoopbackContext context = server.context(uri.getRawPath());
        if (context == null || context.getHandler() == null) {
            drainQuietly(chunked ? new ChunkedIn(in) : new FixedIn(in, length));
            return reject(out, 404, "Not Found");
        }
        String expect = headers.getFirst("Expect");
        if (expect != null && expect.equalsIgnoreCase("100-continue") && protocol.equals("HTTP/1.1")) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        InputStream body = chunked ? new ChunkedIn(in) : new FixedIn(in, length);
        LoopbackExchange ex = new LoopbackExchange(context, socket, method, uri, protocol, headers, body, out);
        try {
            context.getHandler().handle(ex);
        } catch (IOException | RuntimeException e) {
            if (!ex.headersSent()) {
                ex.sendResponseHeaders(500, -1);
            }
            ex.close();
            return false;
        }
        if (!ex.headersSent()) {
            // the handler neither answered nor kept the exchange: answer for it
            ex.sendResponseHeaders(500, -1);
        }
        ex.close();
        if (!ex.complete() || !keepAlive || ex.closesConnection()) {
            return false;
        }
        return drainQuietly(body);
    }

    /** Reads what the handler left of the request body; false when it is too much or broken. */
    private static boolean drainQuietly(InputStream body) {
        try {
            long drained = 0;
            byte[] skip = new byte[4096];
            int n;
            while ((n = body.read(skip)) >= 0) {
                drained += n;
                if (drained > DRAIN_LIMIT) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean reject(OutputStream out, int status, String reason) throws IOException {
        byte[] body = ("{\"message\":\"" + reason + "\"}").getBytes(StandardCharsets.US_ASCII);
        out.write(("HTTP/1.1 " + status + " " + reason + "\r\ncontent-type: application/json\r\ncontent-length: "
                + body.length + "\r\nconnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return false;
    }

    /** One line without CRLF; null when the stream ends before the first byte of a request. */
    static String line(InputStream in, int[] budget, boolean first) throws IOException {
        StringBuilder b = new StringBuilder(64);
        while (true) {
            int c = in.read();
            if (c < 0) {
                if (first && b.isEmpty()) {
                    return null;
                }
                throw new EOFException("the request ended early");
            }
            if (--budget[0] < 0 || b.length() > MAX_LINE) {
                throw new IOException("request head too large");
            }
            if (c == '\n') {
                int n = b.length();
                if (n > 0 && b.charAt(n - 1) == '\r') {
                    b.setLength(n - 1);
                }
                if (first && b.isEmpty()) {
                    continue; // a stray CRLF between requests
                }
                return b.toString();
            }
            b.append((char) c);
        }
    }

    /** A request body of known length. */
    static final class FixedIn extends InputStream {
        private final InputStream in;
        private long remaining;

        FixedIn(InputStream in, long length) {
            this.in = in;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new EOFException("the request body ended early");
            }
            remaining -= n;
            return n;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(in.available(), remaining);
        }
    }

    /** A chunked request body (extensions and trailers skipped). */
    static final class ChunkedIn extends InputStream {
        private final InputStream in;
        private long remaining;
        private boolean eof;

        ChunkedIn(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (eof) {
                return -1;
            }
            if (remaining == 0) {
                int[] budget = {MAX_HEAD};
                String size = line(in, budget, false);
                int semi = size.indexOf(';');
                try {
                    remaining = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException("invalid chunk size");
                }
                if (remaining < 0) {
                    throw new IOException("invalid chunk size");
                }
                if (remaining == 0) {
                    while (!line(in, budget, false).isEmpty()) {
                        // trailers
                    }
                    eof = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new EOFException("the request body ended early");
            }
            remaining -= n;
            if (remaining == 0) {
                int[] budget = {16};
                if (!line(in, budget, false).isEmpty()) {
                    throw new IOException("chunk not followed by CRLF");
                }
            }
            return n;
        }
    }
}
