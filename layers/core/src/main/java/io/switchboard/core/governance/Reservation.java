package io.switchboard.core.governance;

/**
 * What {@link RateLimiter#acquire} decided.
 *
 * @param denied why the request was refused, or null when admitted
 * @param retryAfterMillis when refused: how long until it may pass
 * @param requests the tightest requests-per-minute limit, or null when none applies
 * @param tokens the tightest tokens-per-minute limit, or null when none applies
 * @param reservedTokens the tokens counted (to correct at the end)
 * @param ticket what the implementation needs to settle it (opaque), or null
 */
public record Reservation(Denial denied, long retryAfterMillis, LimitState requests, LimitState tokens,
        long reservedTokens, Object ticket) {

    /** Nothing limits the caller. */
    public static final Reservation UNLIMITED = new Reservation(null, 0, null, null, 0, null);

    /** Why a request was refused. */
    public enum Denial {
        /** Requests per minute of the key or tenant. */
        REQUESTS,
        /** Tokens per minute of the key or tenant. */
        TOKENS,
        /** The key's daily budget is spent. */
        BUDGET_DAILY,
        /** The key's monthly budget is spent. */
        BUDGET_MONTHLY
    }

    /**
     * One limit as it stands after the decision.
     *
     * @param limit the limit per minute
     * @param remaining what is left of it now
     * @param resetMillis when the current window ends
     */
    public record LimitState(long limit, long remaining, long resetMillis) {
    }
}
