package io.switchboard.core.stream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads server-sent events from a body as it arrives, one event at a time: the payload of its {@code data:} fields
 * (several joined with newlines, as the SSE specification says) and its {@code event:} name. Comments and other
 * fields are skipped. Lines end in LF, CRLF or CR. Reads through a small buffer, so an event is available as soon as
 * its blank line has arrived; nothing more is read ahead than one network read returns.
 */
public final class SseDecoder {
    /** Longest accepted event: protects the gateway from an upstream that never ends a line. */
    static final int MAX_EVENT_BYTES = 8 * 1024 * 1024;

    private final InputStream in;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int limit;
    private boolean eof;
    private boolean skipLf;
    private boolean terminated;
    private byte[] line = new byte[256];
    private int lineLen;
    private String event;

    /** A decoder over {@code in} (not closed by the decoder). */
    public SseDecoder(InputStream in) {
        this.in = in;
    }

    /** The {@code event:} name of the last event returned by {@link #next()}, or null when it had none. */
    public String event() {
        return event;
    }

    /**
     * The next event's data, or null at the end of the body. An event whose last line ended but whose blank line
     * never came is still returned at the end; one cut in the middle of a line is dropped (it is incomplete).
     */
    public String next() throws IOException {
        StringBuilder data = null;
        event = null;
        String name = null;
        while (readLine()) {
            if (lineLen == 0) {
                if (data != null) {
                    event = name;
                    return data.toString();
                }
                name = null;
                continue;
            }
            if (startsWith("data:")) {
                String v = value(5);
                if (data == null) {
                    data = new StringBuilder(v);
                } else {
                    data.append('\n').append(v);
                }
            } else if (startsWith("event:")) {
                name = value(6);
            }
        }
        if (data != null && terminated) {
            event = name;
            return data.toString();
        }
        return null;
    }

    private boolean startsWith(String field) {
        if (lineLen < field.length()) {
            return false;
        }
        for (int i = 0; i < field.length(); i++) {
            if (line[i] != field.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private String value(int from) {
        int start = from < lineLen && line[from] == ' ' ? from + 1 : from;
        return new String(line, start, lineLen - start, StandardCharsets.UTF_8);
    }

    /** Reads one line into {@code line}; false at the end of the body with no pending line. */
    private boolean readLine() throws IOException {
        lineLen = 0;
        while (true) {
            if (pos == limit) {
                if (eof || !fill()) {
                    if (lineLen > 0) {
                        terminated = false;
                        return false;
                    }
                    return false;
                }
            }
            byte b = buf[pos++];
            if (skipLf) {
                skipLf = false;
                if (b == '\n') {
                    continue;
                }
            }
            if (b == '\n') {
                terminated = true;
                return true;
            }
            if (b == '\r') {
                skipLf = true;
                terminated = true;
                return true;
            }
            if (lineLen == line.length) {
                if (line.length >= MAX_EVENT_BYTES) {
                    throw new IOException("event line over " + MAX_EVENT_BYTES + " bytes");
                }
                line = java.util.Arrays.copyOf(line, Math.min(MAX_EVENT_BYTES, line.length * 2));
            }
            line[lineLen++] = b;
        }
    }

    private boolean fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        if (n < 0) {
            eof = true;
            return false;
        }
        pos = 0;
        limit = n;
        return n > 0 || fill();
    }

    /** Decodes a whole body at once (tests and replays); returns every event's data in order. */
    public static java.util.List<String> decodeAll(byte[] body) {
        SseDecoder d = new SseDecoder(new java.io.ByteArrayInputStream(body));
        java.util.List<String> out = new java.util.ArrayList<>();
        try {
            for (String data; (data = d.next()) != null; ) {
                out.add(data);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }
}
