package io.switchboard.core.provider.openai;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits a server-sent-events body into the payloads of its {@code data:} fields. Multi-line data is joined with
 * newlines as the SSE specification says; comments and other fields are skipped; {@code [DONE]} ends the stream.
 */
final class SseParser {
    private SseParser() {
    }

    /** Feeds each event's data to {@code onData}; returns whether {@code [DONE]} was seen. */
    static boolean parse(byte[] body, Consumer<String> onData) {
        String text = new String(body, StandardCharsets.UTF_8);
        StringBuilder data = null;
        int pos = 0;
        int len = text.length();
        while (pos <= len) {
            int nl = text.indexOf('\n', pos);
            int end = nl < 0 ? len : nl;
            String line = text.substring(pos, end > pos && text.charAt(end - 1) == '\r' ? end - 1 : end);
            pos = end + 1;
            if (line.isEmpty()) {
                if (data != null) {
                    String payload = data.toString();
                    data = null;
                    if (payload.equals("[DONE]")) {
                        return true;
                    }
                    onData.accept(payload);
                }
                if (nl < 0) {
                    break;
                }
                continue;
            }
            if (line.startsWith("data:")) {
                String v = line.substring(line.length() > 5 && line.charAt(5) == ' ' ? 6 : 5);
                if (data == null) {
                    data = new StringBuilder(v);
                } else {
                    data.append('\n').append(v);
                }
            }
            if (nl < 0) {
                break;
            }
        }
        if (data != null) {
            String payload = data.toString();
            if (payload.equals("[DONE]")) {
                return true;
            }
            onData.accept(payload);
        }
        return false;
    }
}
