package io.switchboard.core.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.aws.BedrockRuntimeClients;
import io.switchboard.core.provider.ChatProvider;
import io.switchboard.core.provider.EmbeddingCall;
import io.switchboard.core.provider.ProviderCall;
import io.switchboard.core.provider.UpstreamErrors;
import io.switchboard.core.stream.Chunk;
import io.switchboard.core.stream.StreamResult;
import io.switchboard.core.stream.StreamSink;
import io.switchboard.core.stream.StreamWatch;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.embeddings.Embedding;
import io.switchboard.shared.embeddings.EmbeddingRequest;
import io.switchboard.shared.embeddings.EmbeddingResponse;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelResponse;

/**
 * Amazon Bedrock through Bedrock Runtime: embeddings with InvokeModel ({@link EmbeddingFamily}), a whole answer with Converse (the synchronous client, bounded by the
 * call's timeout), a streamed one with ConverseStream (the asynchronous client; each event translated on the request
 * thread and handed to the sink as it arrives, through a bounded {@link EventQueue}). Requests are signed with the
 * function's role ({@code AwsClients.credentials()}); the SDK never retries. The model id, inference profile id or
 * ARN goes to Bedrock as the catalog has it. A stream is complete only once {@code messageStop} and then
 * {@code metadata}, Bedrock's last event, arrived; anything shorter is {@code stream_truncated}: the SDK over Netty
 * reports a connection lost mid-body as a normal end, so the events alone can tell a whole stream. Errors go through {@link UpstreamErrors}; no AWS message reaches the caller.
 */
public final class BedrockProvider extends ChatProvider {
    /** At most this many InvokeModel calls of one embeddings request are in flight at once. */
    static final int EMBED_IN_FLIGHT = 8;

    private final Supplier<BedrockRuntimeClient> sync;
    private final Supplier<BedrockRuntimeAsyncClient> async;
    private final InstantSource clock;

    /**
     * A provider for {@code config} in its {@code region} (default: the clients' region) at its {@code baseUrl}
     * (default: the clients' endpoint, else the region's own), over the environment's {@code clients}.
     */
    public BedrockProvider(ProviderConfig config, BedrockRuntimeClients clients, InstantSource clock) {
        super(config);
        URI endpoint = config.baseUrl();
        this.sync = clients.sync(config.region(), endpoint);
        this.async = clients.async(config.region(), endpoint);
        this.clock = clock;
    }

    /**
     * Translates a sample request, answer and stream (SDK model classes, marshalling builders, the chunk writer) and
     * builds both clients (the SDK's client machinery, Netty's event loop and TLS context), all without a call; the
     * clients are closed before the snapshot with the environment's others and rebuilt lazily after the restore.
     */
    @Override
    public void prime() {
        PrimingSample.run(name());
        sync.get();
        async.get();
    }

    @Override
    protected ChatResponse doChat(ProviderCall call) throws Exception {
        var request = RequestMapper.map(call.request(), name()).converse(call.providerModel(), call.timeout());
        BedrockRuntimeClient client = sync.get();
        ConverseResponse r;
        try {
            r = call.upstream(() -> client.converse(request));
        } catch (RuntimeException e) {
            throw failure(e, false);
        }
        return ResponseMapper.map(r, id(r.responseMetadata().requestId()), clock.instant().getEpochSecond(),
                call.providerModel(), name());
    }

    @Override
    protected StreamResult doStream(ProviderCall call, StreamSink sink) throws Exception {
        ConverseStreamRequest request = RequestMapper.map(call.request(), name()).converseStream(call.providerModel());
        JsonNode options = call.request().streamOptions();
        boolean includeUsage = options != null && options.path("include_usage").asBoolean(false);
        BedrockRuntimeAsyncClient client = async.get();
        try (StreamWatch watch = call.watch(); EventQueue events = new EventQueue()) {
            watch.upstream(events);
            events.call(client.converseStream(request, events.handler()));
            StreamTranslator translator = null;
            var ticker = call.ticker();
            while (true) {
                long waitStart = ticker.read();
                EventQueue.Signal signal;
                try {
                    signal = events.take();
                } finally {
                    call.addUpstreamNanos(ticker.read() - waitStart);
                }
                if (watch.expired() != null) {
                    throw new TimeoutException("stream " + watch.expired());
                }
                switch (signal) {
                    case EventQueue.Event e -> {
                        call.event(watch);
                        if (translator == null) {
                            translator = new StreamTranslator(id(requestId(events)), clock.instant().getEpochSecond(),
                                    call.providerModel(), includeUsage, name());
                        }
                        byte[] chunk = translator.accept(e.event());
                        if (chunk != null) {
                            watch.busy(true);
                            try {
                                sink.chunk(Chunk.of(chunk));
                            } finally {
                                watch.busy(false);
                            }
                        }
                        if (translator.complete()) {
                            events.drain();
                            return translator.result();
                        }
                        events.handled();
                    }
                    case EventQueue.Done d -> throw translator == null
                            ? GatewayException.of(ErrorKind.UPSTREAM_INVALID_RESPONSE,
                                    "Provider '" + name() + "' ended the stream without events.")
                            : truncated(null);
                    case EventQueue.Failed f -> throw failure(f.error(), events.response() != null);
                    case EventQueue.Cancelled c -> throw new TimeoutException("stream cancelled");
                }
            }
        }
    }

    /**
     * Embeddings through InvokeModel, in the body of the model's {@link EmbeddingFamily}: the texts in batches of
     * what one call takes (Titan: one, Cohere: 96), at most {@value #EMBED_IN_FLIGHT} calls in flight, every call
     * within what is left of the call's timeout; one failed call fails the request (the others are cancelled).
     * Tokens: Titan's {@code inputTextTokenCount}, else Bedrock's {@code X-Amzn-Bedrock-Input-Token-Count} header.
     */
    @Override
    protected EmbeddingResponse doEmbed(EmbeddingCall call) throws Exception {
        EmbeddingRequest r = call.request();
        EmbeddingFamily family = EmbeddingFamily.of(call.providerModel());
        if (family == null) {
            throw GatewayException.of(ErrorKind.INVALID_REQUEST, "Model '" + r.model() + "' of provider '" + name()
                    + "' is not a Bedrock embedding model this gateway speaks to (Titan Text Embeddings V1/V2, "
                    + "Titan Multimodal Embeddings, Cohere Embed v3/v4).").withParam("model")
                    .withCode("provider_not_supported");
        }
        family.check(r, name());
        List<String> texts = r.input().texts();
        int batch = family.batch();
        int calls = (texts.size() + batch - 1) / batch;
        BedrockRuntimeAsyncClient client = async.get();
        long deadline = call.ticker().read() + call.timeout().toNanos();
        List<Embedding> data = new ArrayList<>(texts.size());
        int[] tokens = {0};
        call.upstream(() -> {
            for (int wave = 0; wave < calls; wave += EMBED_IN_FLIGHT) {
                long left = deadline - call.ticker().read();
                if (left <= 0) {
                    throw new TimeoutException("embeddings deadline");
                }
                Duration timeout = Duration.ofNanos(left);
                List<CompletableFuture<InvokeModelResponse>> inFlight = new ArrayList<>();
                for (int c = wave; c < Math.min(calls, wave + EMBED_IN_FLIGHT); c++) {
                    List<String> part = texts.subList(c * batch, Math.min(texts.size(), (c + 1) * batch));
                    inFlight.add(client.invokeModel(InvokeModelRequest.builder().modelId(call.providerModel())
                            .contentType("application/json").accept("application/json")
                            .body(SdkBytes.fromByteArrayUnsafe(Json.MAPPER.writeValueAsBytes(family.body(part, r))))
                            .overrideConfiguration(o -> o.apiCallTimeout(timeout)).build()));
                }
                for (int k = 0; k < inFlight.size(); k++) {
                    InvokeModelResponse answer;
                    try {
                        answer = inFlight.get(k).join();
                    } catch (RuntimeException e) {
                        inFlight.forEach(f -> f.cancel(true));
                        throw failure(e, false);
                    }
                    int first = (wave + k) * batch;
                    int expected = Math.min(texts.size(), first + batch) - first;
                    List<float[]> vectors;
                    int counted;
                    try {
                        EmbeddingFamily.Answer read = EmbeddingFamily.read(answer.body().asByteArrayUnsafe(), expected);
                        vectors = read.vectors();
                        counted = read.tokens();
                    } catch (IOException | RuntimeException e) {
                        throw GatewayException.of(ErrorKind.UPSTREAM_INVALID_RESPONSE, "Provider '" + name()
                                + "' answered embeddings this gateway cannot read.").withCause(e);
                    }
                    for (int i = 0; i < vectors.size(); i++) {
                        data.add(Embedding.of(first + i, vectors.get(i)));
                    }
                    tokens[0] += counted >= 0 ? counted : answer.sdkHttpResponse()
                            .firstMatchingHeader("X-Amzn-Bedrock-Input-Token-Count").map(BedrockProvider::count)
                            .orElse(0);
                }
            }
            return null;
        });
        return new EmbeddingResponse(call.providerModel(), data, tokens[0], tokens[0], Map.of());
    }

    /** Whether {@code modelId} is an embedding model this provider embeds with (see {@link EmbeddingFamily}). */
    public static boolean embeds(String modelId) {
        return EmbeddingFamily.of(modelId) != null;
    }

    private static int count(String header) {
        try {
            return Math.max(0, Integer.parseInt(header.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String requestId(EventQueue events) {
        return events.response() == null ? null : events.response().responseMetadata().requestId();
    }

    /** The completion id: Bedrock's request id, which its logs know, or a fresh one. */
    private static String id(String requestId) {
        return "chatcmpl-" + (requestId == null || requestId.isBlank() || requestId.equals("UNKNOWN")
                ? UUID.randomUUID().toString() : requestId);
    }

    private GatewayException truncated(Throwable cause) {
        return GatewayException.of(ErrorKind.STREAM_TRUNCATED,
                "Provider '" + name() + "' ended the stream before it was complete.").withCause(cause);
    }

    /**
     * The gateway error for an SDK failure: AWS errors (statuses and exception events) by {@link UpstreamErrors};
     * call timeouts as timeouts; a connection lost once the stream began as a truncated stream; the rest as any
     * provider's.
     */
    private GatewayException failure(Throwable t, boolean inStream) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof GatewayException g) {
            return g;
        }
        if (c instanceof AwsServiceException a) {
            String retryAfter = a.awsErrorDetails() == null || a.awsErrorDetails().sdkHttpResponse() == null ? null
                    : a.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("Retry-After").orElse(null);
            return UpstreamErrors.fromAws(name(), errorCode(a), a.statusCode(), retryAfter, clock.instant(), inStream)
                    .withCause(withoutMessage(a));
        }
        if (c instanceof ApiCallTimeoutException || c instanceof ApiCallAttemptTimeoutException) {
            return UpstreamErrors.map(name(), new TimeoutException("api call timeout"));
        }
        Throwable root = c instanceof SdkClientException && c.getCause() != null ? c.getCause() : c;
        while (root.getCause() != null && !(root instanceof IOException)) {
            root = root.getCause();
        }
        if (root instanceof ConnectException) {
            return UpstreamErrors.map(name(), root);
        }
        if (inStream && (root instanceof IOException || c instanceof SdkClientException)) {
            return truncated(root);
        }
        if (c instanceof SdkClientException && !(root instanceof IOException)) {
            return GatewayException.of(ErrorKind.UPSTREAM_INVALID_RESPONSE,
                    "The call to provider '" + name() + "' failed in the AWS SDK.").withCause(c);
        }
        return UpstreamErrors.map(name(), root);
    }

    /**
     * What the logs may keep of an AWS error: its code, status and request id, never its message (Bedrock's messages
     * may echo the prompt, and the SDK's quote them), with the SDK exception's stack trace.
     */
    private static RuntimeException withoutMessage(AwsServiceException a) {
        RuntimeException summary = new RuntimeException(a.getClass().getName() + ": AWS error "
                + (a.awsErrorDetails() == null ? null : a.awsErrorDetails().errorCode()) + ", HTTP " + a.statusCode()
                + ", request id " + a.requestId() + " (message withheld)");
        summary.setStackTrace(a.getStackTrace());
        return summary;
    }

    /**
     * The AWS error code. An exception event's code is its member name ({@code throttlingException}), an HTTP
     * error's its type ({@code ThrottlingException}): the modelled exception's class names both alike.
     */
    private static String errorCode(AwsServiceException a) {
        String cls = a.getClass().getSimpleName();
        if (!cls.equals("BedrockRuntimeException") && !cls.equals("AwsServiceException")) {
            return cls;
        }
        String code = a.awsErrorDetails() == null ? null : a.awsErrorDetails().errorCode();
        return code == null || code.isEmpty() ? null : Character.toUpperCase(code.charAt(0)) + code.substring(1);
    }
}
