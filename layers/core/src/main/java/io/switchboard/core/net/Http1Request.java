package io.switchboard.core.net;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * One request, encoded once: the request line, the headers and the body in one array, ready for one write.
 *
 * @param host the host to connect to
 * @param port the port
 * @param tls whether the connection is TLS ({@code https})
 * @param destination the key of its connections ({@code scheme://host:port})
 * @param bytes the whole request as it goes on the wire
 */
record Http1Request(String host, int port, boolean tls, String destination, byte[] bytes) {

    static Http1Request post(URI uri, Map<String, String> headers, byte[] body) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("only http and https URIs are supported");
        }
        String host = uri.getHost();
        if (host == null) {
            throw new IllegalArgumentException("the URI has no host");
        }
        boolean tls = scheme.equals("https");
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path = path + "?" + uri.getRawQuery();
        }
        String hostHeader = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        if (uri.getPort() > 0 && uri.getPort() != (tls ? 443 : 80)) {
            hostHeader = hostHeader + ":" + port;
        }
        StringBuilder b = new StringBuilder(256).append("POST ").append(path).append(" HTTP/1.1\r\nhost: ")
                .append(hostHeader).append("\r\ncontent-length: ").append(body.length).append("\r\n");
        boolean agent = false;
        for (Map.Entry<String, String> h : headers.entrySet()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("host") || name.equals("content-length") || name.equals("connection")
                    || name.equals("transfer-encoding") || h.getValue() == null) {
                continue;
            }
            checkToken(name);
            checkValue(h.getValue());
            agent |= name.equals("user-agent");
            b.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        if (!agent) {
            b.append("user-agent: ").append(Http1Client.USER_AGENT).append("\r\n");
        }
        b.append("\r\n");
        byte[] head = b.toString().getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[head.length + body.length];
        System.arraycopy(head, 0, bytes, 0, head.length);
        System.arraycopy(body, 0, bytes, head.length, body.length);
        return new Http1Request(host.startsWith("[") ? host.substring(1, host.length() - 1) : host, port, tls,
                scheme + "://" + host + ":" + port, bytes);
    }

    private static void checkToken(String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty header name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 127 || c == ':' || "\"(),/;<=>?@[\\]{}".indexOf(c) >= 0) {
                throw new IllegalArgumentException("invalid header name");
            }
        }
    }

    /** Header values may not break the request: no CR, LF or other control characters. */
    private static void checkValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < ' ' && c != '\t' || c == 127) {
                throw new IllegalArgumentException("invalid character in a header value");
            }
        }
    }
}
