package io.switchboard.core.aws;

import io.switchboard.core.Lazy;
import io.switchboard.core.Ticker;
import io.switchboard.core.config.CatalogSettings;
import io.switchboard.core.config.Settings;
import io.switchboard.core.secrets.SsmSecretStore;
import io.switchboard.core.net.Http1Client;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.bedrock.BedrockClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;

/**
 * Every client one execution environment uses, each declared once and built on first use: the HTTP client providers
 * and listers share, the SSM secret store, the DynamoDB catalog reader (short calls, request path) and writer
 * (discovery), EventBridge, Bedrock's control plane and Bedrock Runtime (each per region). Every function's
 * composition root makes one and hands it to the parts that need clients, so no part builds its own; {@link #close()}
 * drops them all (before a SnapStart snapshot, or at the end), and each comes back lazily.
 */
public final class EnvironmentClients implements AutoCloseable {
    /** Bound of one AWS call on the request path (a catalog read): a slow table must not stall completions. */
    public static final Duration READ_CALL_TIMEOUT = Duration.ofSeconds(1);
    /** Bound of one AWS call off the request path (discovery, events). */
    public static final Duration WRITE_CALL_TIMEOUT = Duration.ofSeconds(10);

    private final software.amazon.awssdk.auth.credentials.AwsCredentialsProvider credentials;
    private final Lazy<HttpClient> http;
    private final Lazy<Http1Client> upstream;
    private final SsmSecretStore ssm;
    private final Lazy<DynamoDbClient> dynamoDbReader;
    private final Lazy<DynamoDbClient> dynamoDbWriter;
    private final Lazy<EventBridgeClient> eventBridge;
    private final String bedrockRegion;
    private final java.net.URI bedrockEndpoint;
    private final Duration bedrockCallTimeout;
    private final Ticker ticker;
    private final Lazy.Listener listener;
    private final Map<String, Lazy<BedrockClient>> bedrock = new ConcurrentHashMap<>();
    private final BedrockRuntimeClients bedrockRuntime;

    private EnvironmentClients(Settings settings, Ticker ticker, Lazy.Listener listener) {
        CatalogSettings cs = settings.catalog();
        this.credentials = AwsClients.credentials(settings.env());
        var creds = credentials;
        this.http = Lazy.of("http-client", EnvironmentClients::newHttpClient, ticker, listener);
        this.upstream = Lazy.of("upstream-http-client", Http1Client::withDefaults, ticker, listener);
        this.ssm = new SsmSecretStore(settings.region(), settings.ssmEndpoint(), creds, listener);
        this.dynamoDbReader = Lazy.of("dynamodb-reader", () -> AwsClients.dynamoDb(cs.region(),
                cs.dynamoDbEndpoint(), READ_CALL_TIMEOUT, creds), ticker, listener);
        this.dynamoDbWriter = Lazy.of("dynamodb-writer", () -> AwsClients.dynamoDb(cs.region(),
                cs.dynamoDbEndpoint(), WRITE_CALL_TIMEOUT, creds), ticker, listener);
        this.eventBridge = Lazy.of("eventbridge-client", () -> AwsClients.eventBridge(cs.region(),
                cs.eventBridgeEndpoint(), WRITE_CALL_TIMEOUT, creds), ticker, listener);
        this.bedrockRegion = cs.region();
        this.bedrockEndpoint = cs.bedrockEndpoint();
        this.bedrockCallTimeout = cs.discoveryTimeout();
        this.ticker = ticker;
        this.listener = listener;
        this.bedrockRuntime = new BedrockRuntimeClients(settings.region(), settings.bedrockRuntimeEndpoint(), creds,
                ticker, listener);
    }

    /** The clients of an environment configured by {@code settings}; {@code listener} hears when one is built. */
    public static EnvironmentClients of(Settings settings, Ticker ticker, Lazy.Listener listener) {
        return new EnvironmentClients(Objects.requireNonNull(settings, "settings"), Objects.requireNonNull(ticker),
                listener);
    }

    /**
     * The client's own completions (response headers, body buffers) run on its selector thread instead of being
     * handed to a pool thread first: nothing the gateway attaches to them blocks (bodies are read through a bounded
     * queue on the request thread), and a hand-off fewer is measurably faster on the request path
     * (docs/performance.md).
     */
    private static HttpClient newHttpClient() {
        return HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_2)
                .executor(Runnable::run)
                .build();
    }

    /** The credentials every AWS client and signer of this environment uses. */
    public software.amazon.awssdk.auth.credentials.AwsCredentialsProvider credentials() {
        return credentials;
    }

    /** The JDK's HTTP client, for calls off the request path (model listings; HTTP/2 asked for on {@code https}). */
    public Lazy<HttpClient> http() {
        return http;
    }

    /** The HTTP/1.1 client of the request path: provider calls (see {@link Http1Client}). */
    public Lazy<Http1Client> upstream() {
        return upstream;
    }

    /** The SSM secret store. */
    public SsmSecretStore ssm() {
        return ssm;
    }

    /** DynamoDB for reads on the request path (1 s per call). */
    public Lazy<DynamoDbClient> dynamoDbReader() {
        return dynamoDbReader;
    }

    /** DynamoDB for discovery's writes (10 s per call). */
    public Lazy<DynamoDbClient> dynamoDbWriter() {
        return dynamoDbWriter;
    }

    /** EventBridge. */
    public Lazy<EventBridgeClient> eventBridge() {
        return eventBridge;
    }

    /** Bedrock's control plane (model listing) in the catalog's region. */
    public Lazy<BedrockClient> bedrock() {
        return bedrock(null);
    }

    /**
     * Bedrock's control plane in {@code region} (null: the catalog's), one client per distinct region, each built on
     * first use and at the same endpoint override ({@code AWS_ENDPOINT_URL_BEDROCK}) when one is set.
     */
    public Lazy<BedrockClient> bedrock(String region) {
        String r = region != null ? region : bedrockRegion;
        return bedrock.computeIfAbsent(r, x -> Lazy.of(x.equals(bedrockRegion) ? "bedrock-client"
                : "bedrock-client-" + x, () -> AwsClients.bedrock(x, bedrockEndpoint, bedrockCallTimeout,
                credentials), ticker, listener));
    }

    /** Bedrock Runtime (the {@code bedrock} provider's Converse and ConverseStream), per region. */
    public BedrockRuntimeClients bedrockRuntime() {
        return bedrockRuntime;
    }

    @Override
    public void close() {
        http.reset();
        upstream.reset();
        ssm.close();
        dynamoDbReader.reset();
        dynamoDbWriter.reset();
        eventBridge.reset();
        bedrock.values().forEach(Lazy::reset);
        bedrockRuntime.close();
    }
}
