package io.switchboard.core.aws;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.bedrock.BedrockClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClientBuilder;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.SsmClientBuilder;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;

/**
 * Builds the gateway's AWS clients the same way: the URL-connection HTTP client (Netty only for Bedrock's streaming
 * client), the configured region, credentials from the environment or the Lambda container endpoint only (never
 * instance metadata), an endpoint override when configured, and a bound on every call.
 */
public final class AwsClients {
    /** Connect bound of the provider clients. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** The longest any Lambda invocation runs: the outer bound of a provider call's socket. */
    private static final Duration LONGEST_CALL = Duration.ofMinutes(15);

    private AwsClients() {
    }

    /**
     * The one credentials chain of every AWS client and signer: the function's role as Lambda supplies it
     * (environment variables, or the container credentials endpoint SnapStart restores use). Never the instance
     * metadata service, never a profile file: nothing probes the network to find credentials.
     */
    public static AwsCredentialsProvider credentials() {
        return AwsCredentialsProviderChain.of(EnvironmentVariableCredentialsProvider.create(),
                ContainerCredentialsProvider.create());
    }

    /**
     * The same chain, reading the keys from {@code env} first — the variables the environment was configured with
     * (on Lambda the process's own; in a local run the emulated function's).
     */
    public static AwsCredentialsProvider credentials(java.util.Map<String, String> env) {
        String id = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (id == null || id.isBlank() || secret == null || secret.isBlank()) {
            return credentials();
        }
        String token = env.get("AWS_SESSION_TOKEN");
        return StaticCredentialsProvider.create(token == null || token.isBlank()
                ? AwsBasicCredentials.create(id, secret) : AwsSessionCredentials.create(id, secret, token));
    }

    /** An SSM client (Parameter Store secrets). */
    public static SsmClient ssm(String region, URI endpoint) {
        return ssm(region, endpoint, credentials());
    }

    /** An SSM client signing with {@code creds}. */
    public static SsmClient ssm(String region, URI endpoint, AwsCredentialsProvider creds) {
        SsmClientBuilder b = SsmClient.builder()
                .region(Region.of(region))
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(creds);
        if (endpoint != null) {
            b.endpointOverride(endpoint);
        }
        return b.build();
    }

    /** A DynamoDB client; {@code callTimeout} bounds each API call including retries. */
    public static DynamoDbClient dynamoDb(String region, URI endpoint, Duration callTimeout,
            ClientOverrideConfiguration.Builder extra) {
        return configure(DynamoDbClient.builder(), region, endpoint, callTimeout, extra, credentials()).build();
    }

    /** A DynamoDB client signing with {@code creds}. */
    public static DynamoDbClient dynamoDb(String region, URI endpoint, Duration callTimeout,
            AwsCredentialsProvider creds) {
        return configure(DynamoDbClient.builder(), region, endpoint, callTimeout, null, creds).build();
    }

    /** An EventBridge client. */
    public static EventBridgeClient eventBridge(String region, URI endpoint, Duration callTimeout) {
        return eventBridge(region, endpoint, callTimeout, credentials());
    }

    /** An EventBridge client signing with {@code creds}. */
    public static EventBridgeClient eventBridge(String region, URI endpoint, Duration callTimeout,
            AwsCredentialsProvider creds) {
        return configure(EventBridgeClient.builder(), region, endpoint, callTimeout, null, creds).build();
    }

    /** A Bedrock control-plane client (model listing). */
    public static BedrockClient bedrock(String region, URI endpoint, Duration callTimeout) {
        return bedrock(region, endpoint, callTimeout, credentials());
    }

    /** A Bedrock control-plane client signing with {@code creds}. */
    public static BedrockClient bedrock(String region, URI endpoint, Duration callTimeout,
            AwsCredentialsProvider creds) {
        return configure(BedrockClient.builder(), region, endpoint, callTimeout, null, creds).build();
    }

    /**
     * Bedrock Runtime for Converse, over the URL-connection client. No retries: a provider call fails as the provider
     * failed (retrying is the caller's decision). Each call is bounded by its request's own API call timeout; the
     * socket bound here only catches a call that set none.
     */
    public static BedrockRuntimeClient bedrockRuntime(String region, URI endpoint) {
        return bedrockRuntime(region, endpoint, credentials());
    }

    /** Bedrock Runtime for Converse, signing with {@code creds}. */
    public static BedrockRuntimeClient bedrockRuntime(String region, URI endpoint, AwsCredentialsProvider creds) {
        var b = BedrockRuntimeClient.builder()
                .region(Region.of(region))
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(CONNECT_TIMEOUT)
                        .socketTimeout(LONGEST_CALL))
                .credentialsProvider(creds)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
        if (endpoint != null) {
            b.endpointOverride(endpoint);
        }
        return b.build();
    }

    /**
     * Bedrock Runtime for ConverseStream (the SDK streams only through its async client), over Netty with HTTP/1.1
     * (the SDK's default for Bedrock Runtime is HTTP/2, which only its bidirectional API needs; an environment serves
     * one request at a time, so multiplexing buys nothing). No retries; silences and deadlines are the stream watch's,
     * so Netty's read timeout only catches a stream nobody watches.
     */
    public static BedrockRuntimeAsyncClient bedrockRuntimeAsync(String region, URI endpoint) {
        return bedrockRuntimeAsync(region, endpoint, credentials());
    }

    /** Bedrock Runtime for ConverseStream, signing with {@code creds}. */
    public static BedrockRuntimeAsyncClient bedrockRuntimeAsync(String region, URI endpoint,
            AwsCredentialsProvider creds) {
        BedrockRuntimeAsyncClientBuilder b = BedrockRuntimeAsyncClient.builder()
                .region(Region.of(region))
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().connectionTimeout(CONNECT_TIMEOUT)
                        .readTimeout(LONGEST_CALL).tcpKeepAlive(true).protocol(Protocol.HTTP1_1))
                .credentialsProvider(creds)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
        if (endpoint != null) {
            b.endpointOverride(endpoint);
        }
        return b.build();
    }

    private static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> B configure(B b, String region,
            URI endpoint, Duration callTimeout, ClientOverrideConfiguration.Builder extra,
            AwsCredentialsProvider creds) {
        Duration connect = callTimeout.compareTo(Duration.ofSeconds(2)) < 0 ? callTimeout : Duration.ofSeconds(2);
        b.region(Region.of(region))
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(connect)
                        .socketTimeout(callTimeout))
                .credentialsProvider(creds)
                .overrideConfiguration((extra != null ? extra : ClientOverrideConfiguration.builder())
                        .apiCallTimeout(callTimeout).build());
        if (endpoint != null) {
            b.endpointOverride(endpoint);
        }
        return b;
    }
}
