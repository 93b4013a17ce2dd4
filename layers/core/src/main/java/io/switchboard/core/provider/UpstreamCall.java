package io.switchboard.core.provider;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * What every call to a provider has, whatever it asks for (a completion, embeddings): the provider's model id, the
 * time allowed for the whole exchange, the gateway's request id, and a clock for the time spent waiting upstream.
 * Lets a provider share its transport between its calls.
 */
public interface UpstreamCall {
    /** The provider's own id of the model. */
    String providerModel();

    /** Time allowed for the whole upstream exchange. */
    Duration timeout();

    /** The gateway's request id, for the provider's logs; may be null. */
    String requestId();

    /**
     * Runs the wire exchange, counting its time as upstream time (the gateway's overhead is everything else).
     * Providers wrap exactly the part that waits for the provider.
     */
    <T> T upstream(Callable<T> exchange) throws Exception;
}
