package io.switchboard.core.resilience;

import io.switchboard.shared.config.Deployment;
import java.time.Duration;

/** One call to one deployment; throws the provider's {@code GatewayException} when it fails. */
@FunctionalInterface
public interface Attempt<R> {
    /**
     * Calls {@code deployment}.
     *
     * @param cap the longest the call may take by the group's retry policy, or null for the provider's timeout
     */
    R run(Deployment deployment, Duration cap);
}
