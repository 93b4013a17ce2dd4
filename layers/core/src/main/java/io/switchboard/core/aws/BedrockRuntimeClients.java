package io.switchboard.core.aws;

import io.switchboard.core.Lazy;
import io.switchboard.core.Ticker;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;

/**
 * Bedrock Runtime's clients of one execution environment, one pair per (region, endpoint) that a {@code bedrock}
 * provider names: the synchronous client (Converse, over the URL-connection client) and the asynchronous one
 * (ConverseStream, over Netty). Each is built on first use, once; {@link #close()} drops them all (before a SnapStart
 * snapshot) and each comes back lazily.
 */
public final class BedrockRuntimeClients implements AutoCloseable {
    private record Key(String region, URI endpoint) {
    }

    private final String defaultRegion;
    private final URI defaultEndpoint;
    private final Ticker ticker;
    private final Lazy.Listener listener;
    private final software.amazon.awssdk.auth.credentials.AwsCredentialsProvider credentials;
    private final Map<Key, Lazy<BedrockRuntimeClient>> sync = new ConcurrentHashMap<>();
    private final Map<Key, Lazy<BedrockRuntimeAsyncClient>> async = new ConcurrentHashMap<>();

    /**
     * Clients in {@code defaultRegion} at {@code defaultEndpoint} (null: the region's own) unless a provider names
     * its own; {@code listener} hears of each build.
     */
    public BedrockRuntimeClients(String defaultRegion, URI defaultEndpoint, Ticker ticker, Lazy.Listener listener) {
        this(defaultRegion, defaultEndpoint, AwsClients.credentials(), ticker, listener);
    }

    /** Clients signing with {@code creds}. */
    public BedrockRuntimeClients(String defaultRegion, URI defaultEndpoint,
            software.amazon.awssdk.auth.credentials.AwsCredentialsProvider creds, Ticker ticker,
            Lazy.Listener listener) {
        this.credentials = creds;
        this.defaultRegion = Objects.requireNonNull(defaultRegion, "defaultRegion");
        this.defaultEndpoint = defaultEndpoint;
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.listener = listener;
    }

    /** The region of providers that name none (the function's). */
    public String defaultRegion() {
        return defaultRegion;
    }

    /** The endpoint of providers that name none ({@code AWS_ENDPOINT_URL_BEDROCK_RUNTIME}), or null. */
    public URI defaultEndpoint() {
        return defaultEndpoint;
    }

    /** The Converse client for {@code region} (null: the default) at {@code endpoint} (null: the default). */
    public Lazy<BedrockRuntimeClient> sync(String region, URI endpoint) {
        Key k = key(region, endpoint);
        return sync.computeIfAbsent(k, x -> Lazy.of("bedrock-runtime-" + x.region(),
                () -> AwsClients.bedrockRuntime(x.region(), x.endpoint(), credentials), ticker, listener));
    }

    /** The ConverseStream client for {@code region} (null: the default) at {@code endpoint} (null: the default). */
    public Lazy<BedrockRuntimeAsyncClient> async(String region, URI endpoint) {
        Key k = key(region, endpoint);
        return async.computeIfAbsent(k, x -> Lazy.of("bedrock-runtime-async-" + x.region(),
                () -> AwsClients.bedrockRuntimeAsync(x.region(), x.endpoint(), credentials), ticker, listener));
    }

    private Key key(String region, URI endpoint) {
        return new Key(region != null ? region : defaultRegion, endpoint != null ? endpoint : defaultEndpoint);
    }

    @Override
    public void close() {
        sync.values().forEach(Lazy::reset);
        async.values().forEach(Lazy::reset);
    }
}
