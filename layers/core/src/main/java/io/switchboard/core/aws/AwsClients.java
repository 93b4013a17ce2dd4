package io.switchboard.core.aws;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
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

    /** An SSM client (Parameter Store secrets). */
    public static SsmClient ssm(String region, URI endpoint) {
        SsmClientBuilder b = SsmClient.builder()
                .region(Region.of(region))
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(credentials());
        if (endpoint != null) {
            b.endpointOverride(endpoint);
        }
        return b.build();
    }

    /** A DynamoDB client; {@code callTimeout} bounds each API call including retries. */
    public static DynamoDbClient dynamoDb(String region, URI endpoint, Duration callTimeout,
            ClientOverrideConfiguration.Builder extra) {
        return configure(DynamoDbClient.builder(), region, endpoint, callTimeout, extra).build();
    }

    /** An EventBridge client. */
    public static EventBridgeClient eventBridge(String region, URI endpoint, Duration callTimeout) {
        return configure(EventBridgeClient.builder(), region, endpoint, callTimeout, null).build();
    }

    /** A Bedrock control-plane client (model listing). */
    public static BedrockClient bedrock(String region, URI endpoint, Duration callTimeout) {
        return configure(BedrockClient.builder(), region, endpoint, callTimeout, null).build();
    }

    /**
     * Bedrock Runtime for Converse, over the URL-connection client. No retries: a provider call fails as the provider
     * failed (retrying is the caller's decision). Each call is bounded by its request's own API call timeout; the
     * socket bound here only catches a call that set none.
     */
    public static BedrockRuntimeClient bedrockRuntime(String region, URI endpoint) {
        var b = BedrockRuntimeClient.builder()
                .region(Region.of(region))
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(CONNECT_TIMEOUT)
                        .socketTimeout(LONGEST_CALL))
                .credentialsProvider(credentials())
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
        BedrockRuntimeAsyncClientBuilder b = BedrockRuntimeAsyncClient.builder()
                .region(Region.of(region))
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().connectionTimeout(CONNECT_TIMEOUT)
                        .readTimeout(LONGEST_CALL).tcpKeepAlive(true).protocol(Protocol.HTTP1_1))
                .credentialsProvider(credentials())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
        if (endpoint != null) {
            b.endpointOverride(endpoint);
        }
        return b.build();
    }

    private static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> B configure(B b, String region,
            URI endpoint, Duration callTimeout, ClientOverrideConfiguration.Builder extra) {
        Duration connect = callTimeout.compareTo(Duration.ofSeconds(2)) < 0 ? callTimeout : Duration.ofSeconds(2);
        b.region(Region.of(region))
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(connect)
                        .socketTimeout(callTimeout))
                .credentialsProvider(credentials())
                .overrideConfiguration((extra != null ? extra : ClientOverrideConfiguration.builder())
                        .apiCallTimeout(callTimeout).build());
        if (endpoint != null) {
            b.endpointOverride(endpoint);
        }
        return b;
    }
}
