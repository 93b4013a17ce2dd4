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

    /**
     * Refuses a content-encoded body (415): the gateway reads bodies as sent, so a gzip body would otherwise be read as
     * (invalid) JSON. {@code identity} and no header pass.
     */
    public static void checkContentEncoding(String contentEncoding) {
        if (contentEncoding == null) {
            return;
        }
        String ce = contentEncoding.strip();
        if (!ce.isEmpty() && !ce.equalsIgnoreCase("identity")) {
            throw GatewayException.of(ErrorKind.UNSUPPORTED_MEDIA_TYPE,
                    "Send the request body without a Content-Encoding (identity).");
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

    /**
     * What is left of the invocation at {@code nowNanos} when {@code remainingMillis} were left at {@code startNanos}
     * ({@link Long#MAX_VALUE}: unbounded). Every wait on the path (the stampede lock, the provider call) is bounded
     * by what is left when it starts, not by what was left on arrival.
     */
    public static long remainingMillis(long remainingMillis, long startNanos, long nowNanos) {
        return remainingMillis == Long.MAX_VALUE ? Long.MAX_VALUE
                : remainingMillis - Math.max(0, nowNanos - startNanos) / 1_000_000L;
    }

    /** How long a wait may last with {@code remainingMillis} left: all of it but {@link #DEADLINE_MARGIN_MILLIS}. */
    public static long waitBudgetNanos(long remainingMillis) {
        return remainingMillis == Long.MAX_VALUE ? Long.MAX_VALUE
                : Math.max(0, remainingMillis - DEADLINE_MARGIN_MILLIS) * 1_000_000L;
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
