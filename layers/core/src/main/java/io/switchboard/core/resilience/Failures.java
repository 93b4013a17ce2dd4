package io.switchboard.core.resilience;

import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;

/** How a failed call is judged: retried or not, held against the deployment or not, and which fallbacks apply. */
final class Failures {
    /** Why a request moves to a fallback model. */
    enum Reason {
        /** The request is too long for the deployment's context window. */
        CONTEXT_WINDOW("context_window"),
        /** The deployment refused the request under its content policy. */
        CONTENT_POLICY("content_policy"),
        /** The deployment failed (retries spent, every deployment open). */
        FAILURE("failure"),
        /** The caller's own error: no fallback. */
        NONE("none");

        final String label;

        Reason(String label) {
            this.label = label;
        }
    }

    private Failures() {
    }

    /** Connect errors, timeouts, 429, 5xx, 529, a broken or truncated answer. */
    static boolean retriable(GatewayException e) {
        return switch (e.kind()) {
            case RATE_LIMITED, UPSTREAM_ERROR, UPSTREAM_INVALID_RESPONSE, STREAM_TRUNCATED, UPSTREAM_TIMEOUT -> true;
            default -> false;
        };
    }

    /** Whether the failure counts against the deployment's breaker (its failures and its refusal of our key). */
    static boolean counts(GatewayException e) {
        return retriable(e) || e.kind() == ErrorKind.UPSTREAM_AUTHENTICATION;
    }

    static Reason reason(GatewayException e) {
        String code = e.code();
        if ("context_length_exceeded".equals(code)) {
            return Reason.CONTEXT_WINDOW;
        }
        if ("content_policy_violation".equals(code) || "content_filter".equals(code)) {
            return Reason.CONTENT_POLICY;
        }
        return counts(e) || e.kind() == ErrorKind.MODEL_NOT_FOUND ? Reason.FAILURE : Reason.NONE;
    }
}
