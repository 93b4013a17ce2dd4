package io.switchboard.core.net;

import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The head of an answer: status, headers (names lower case, in order), and how its body is framed. Informational
 * (1xx) answers before it are skipped.
 *
 * @param status the status code
 * @param headers name, value, name, value… (names lower case)
 * @param keepAlive whether the connection may carry another request once the body is read
 */
record Http1Head(int status, List<String> headers, boolean keepAlive) {
    private static final int MAX_LINE = 16 * 1024;
    private static final int MAX_HEAD = 64 * 1024;

    /** The connection ended before the first byte of an answer: the server had closed it (nothing was processed). */
    static final class NoAnswer extends IOException {
        private static final long serialVersionUID = 1L;

        NoAnswer() {
            super("the connection closed before an answer");
        }
    }

    /** The first value of header {@code lowerName}, or null. */
    String header(String lowerName) {
        for (int i = 0; i < headers.size(); i += 2) {
            if (headers.get(i).equals(lowerName)) {
                return headers.get(i + 1);
            }
        }
        return null;
    }

    /** The body's framing: -1 chunked, -2 until the connection closes, else its length. */
    long framing() {
        if (status / 100 == 1 || status == 204 || status == 304) {
            return 0;
        }
        String te = header("transfer-encoding");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            return -1;
        }
        String cl = header("content-length");
        if (cl != null) {
            try {
                long n = Long.parseLong(cl.trim());
                if (n >= 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // falls through: an invalid length is a protocol error
            }
            return -3;
        }
        return -2;
    }

    static Http1Head read(InputStream in) throws IOException {
        int[] budget = {MAX_HEAD};
        while (true) {
            String status = line(in, budget, true);
            if (!status.startsWith("HTTP/1.") || status.length() < 12 || status.charAt(8) != ' ') {
                throw new ProtocolException("not an HTTP/1.x status line");
            }
            int code;
            try {
                code = Integer.parseInt(status.substring(9, 12));
            } catch (NumberFormatException e) {
                throw new ProtocolException("invalid status code");
            }
            boolean http11 = status.charAt(7) == '1';
            List<String> headers = new ArrayList<>(24);
            boolean close = !http11;
            while (true) {
                String h = line(in, budget, false);
                if (h.isEmpty()) {
                    break;
                }
                int colon = h.indexOf(':');
                if (colon <= 0) {
                    throw new ProtocolException("invalid header line");
                }
                String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).trim();
                headers.add(name);
                headers.add(value);
                if (name.equals("connection")) {
                    String v = value.toLowerCase(Locale.ROOT);
                    close = v.contains("close") || (!http11 && !v.contains("keep-alive"));
                }
            }
            if (code / 100 == 1 && code != 101) {
                continue; // 100 Continue, 103 Early Hints: the real answer follows
            }
            if (code == 101) {
                throw new ProtocolException("unexpected protocol switch");
            }
            return new Http1Head(code, List.copyOf(headers), !close);
        }
    }

    /** One line without its CRLF; {@link NoAnswer} when the stream ends before the first byte of an answer. */
    private static String line(InputStream in, int[] budget, boolean first) throws IOException {
        StringBuilder b = new StringBuilder(64);
        while (true) {
            int c = in.read();
            if (c < 0) {
                if (first && b.isEmpty() && budget[0] == MAX_HEAD) {
                    throw new NoAnswer();
                }
                throw new java.io.EOFException("the answer's head ended early");
            }
            if (--budget[0] < 0 || b.length() > MAX_LINE) {
                throw new ProtocolException("the answer's head is too large");
            }
            if (c == '\n') {
                int n = b.length();
                if (n > 0 && b.charAt(n - 1) == '\r') {
                    b.setLength(n - 1);
                }
                return b.toString();
            }
            b.append((char) c);
        }
    }
}
