package io.switchboard.core.http;

import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import java.time.Duration;
import java.util.Locale;

/**
 * The checks and bounds every API route applies alike: which content types count as JSON, the request body's size
 * limit, the time an upstream call may take within the invocation, and how times are written in headers.
 */
public final class RequestPolicy {
    /** Time kept back from the invocation's remaining time so the gateway can still answer 504 itself. */
    public static final long DEADLINE_MARGIN_MILLIS = 750;

    private RequestPolicy() {
    }

    /**
     * Refuses a body that is not JSON by its declared type (415). JSON, the two types clients send JSON under by
     * accident (curl -d's default, and text/plain), and no type at all pass.
     */
    public static void checkContentType(String contentType) {
        if (contentType == null) {
            return;
        }
        String ct = contentType.toLowerCase(Locale.ROOT).strip();
        boolean json = ct.startsWith("application/json") || (ct.startsWith("application/") && ct.contains("+json"))
                || ct.startsWith("application/x-www-form-urlencoded") || ct.startsWith("text/plain") || ct.isEmpty();
        if (!json) {
            throw GatewayException.of(ErrorKind.UNSUPPORTED_MEDIA_TYPE,
                    "Send the request body as 'Content-Type: application/json'.");
        }
    }

    /** Refuses a body over {@code maxBytes} (413). */
    public static void checkSize(byte[] body, int maxBytes) {
        if (body.length > maxBytes) {
            throw GatewayException.of(ErrorKind.PAYLOAD_TOO_LARGE, "The request body is over the limit of "
                    + maxBytes + " bytes.");
        }
    }

    /**
     * The time an upstream call may take: the lower of the provider's and the gateway's bound and, inside an
     * invocation, what is left of it minus {@link #DEADLINE_MARGIN_MILLIS}; 504 when nothing is left.
     *
     * @param provider the provider's own timeout
     * @param limit the gateway's upstream timeout
     * @param remainingMillis the invocation's remaining time ({@link Long#MAX_VALUE}: unbounded)
     */
    public static Duration upstreamTimeout(Duration provider, Duration limit, long remainingMillis) {
        long millis = Math.min(provider.toMillis(), limit.toMillis());
        if (remainingMillis != Long.MAX_VALUE) {
            long left = remainingMillis - DEADLINE_MARGIN_MILLIS;
            if (left <= 0) {
                throw GatewayException.of(ErrorKind.UPSTREAM_TIMEOUT,
                        "The invocation has no time left to call the provider.");
            }
            millis = Math.min(millis, left);
        }
        return Duration.ofMillis(millis);
    }

    /** Milliseconds with microsecond precision, as a header value ({@code 12.345}). */
    public static String millis(long nanos) {
        long micros = nanos / 1000;
        StringBuilder sb = new StringBuilder(12).append(micros / 1000).append('.');
        long frac = micros % 1000;
        if (frac < 100) {
            sb.append('0');
        }
        if (frac < 10) {
            sb.append('0');
        }
        return sb.append(frac).toString();
    }
}
