package io.switchboard.bench;

import java.net.URI;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamOutput;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.Message;

/**
 * One fresh JVM's way from nothing to the first ConverseStream event, through one async HTTP client: builds the
 * client ({@code netty} or {@code crt}), sends one ConverseStream to the endpoint given, and prints one JSON line: time
 * from the JVM's start and from {@code main} to the first event and to the end of the stream, and the process's CPU
 * time (all threads) up to the first event; then the same again with a new client in the same JVM (classes loaded,
 * as after a primed SnapStart restore). Run by
 * {@link BedrockClientBench} with only that client's jars on the class path.
 */
public final class BedrockClientProbe {
    private BedrockClientProbe() {
    }

    public static void main(String[] args) throws Exception {
        long mainStart = System.nanoTime();
        String which = args[0];
        URI endpoint = URI.create(args[1]);
        long[] first = once(which, endpoint, mainStart);
        long jvmStart = ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(first[1]);
        // again in the same JVM with a new client: its classes are loaded, as after a primed SnapStart restore
        long againStart = System.nanoTime();
        long[] again = once(which, endpoint, againStart);
        System.out.printf(Locale.ROOT, "{\"client\":\"%s\",\"jvmToFirstEventMs\":%d,\"mainToFirstEventMs\":%.1f,"
                + "\"mainToEndMs\":%.1f,\"cpuToFirstEventMs\":%d,\"loadedToFirstEventMs\":%.1f}%n", which,
                first[1] - jvmStart, (first[0] - mainStart) / 1e6, (first[2] - mainStart) / 1e6, first[3],
                (again[0] - againStart) / 1e6);
        System.exit(0);
    }

    /** One client built, one ConverseStream: nano time of the first event, its wall time, end, CPU ms. */
    private static long[] once(String which, URI endpoint, long start) throws Exception {
        SdkAsyncHttpClient http = which.equals("netty") ? NettyClient.create() : CrtClient.create();
        BedrockRuntimeAsyncClient client = BedrockRuntimeAsyncClient.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(endpoint)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("probe", "probe")))
                .httpClient(http)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
        CompletableFuture<Long> first = new CompletableFuture<>();
        ConverseStreamRequest request = ConverseStreamRequest.builder().modelId("amazon.nova-lite-v1:0")
                .messages(Message.builder().role(ConversationRole.USER).content(ContentBlock.fromText("Hi")).build())
                .build();
        CompletableFuture<Void> done = client.converseStream(request, ConverseStreamResponseHandler.builder()
                .onEventStream(p -> p.subscribe(new Subscriber<ConverseStreamOutput>() {
                    @Override
                    public void onSubscribe(Subscription s) {
                        s.request(Long.MAX_VALUE);
                    }

                    @Override
                    public void onNext(ConverseStreamOutput e) {
                        first.complete(System.nanoTime());
                    }

                    @Override
                    public void onError(Throwable t) {
                        first.completeExceptionally(t);
                    }

                    @Override
                    public void onComplete() {
                    }
                })).build());
        long firstAt = first.get(30, TimeUnit.SECONDS);
        long firstWall = System.currentTimeMillis();
        long cpuMs = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toMillis()).orElse(-1L);
        done.get(30, TimeUnit.SECONDS);
        long endAt = System.nanoTime();
        client.close();
        http.close();
        return new long[] {firstAt, firstWall, endAt, cpuMs};
    }

    /** Netty, as the SDK's default async client (its own class so the CRT run never loads it). */
    private static final class NettyClient {
        static SdkAsyncHttpClient create() {
            return software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient.builder().build();
        }
    }

    /** The AWS Common Runtime client (its own class so the Netty run never loads it). */
    private static final class CrtClient {
        static SdkAsyncHttpClient create() {
            return software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient.builder().build();
        }
    }
}
