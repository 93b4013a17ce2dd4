package io.switchboard.core.provider.anthropic;

import io.switchboard.core.provider.ChatProvider;
import io.switchboard.core.provider.ProviderCall;
import io.switchboard.core.provider.UpstreamErrors;
import io.switchboard.core.secrets.SecretResolver;
import io.switchboard.core.stream.Chunk;
import io.switchboard.core.stream.SseDecoder;
import io.switchboard.core.stream.StreamResult;
import io.switchboard.core.stream.StreamSink;
import io.switchboard.core.stream.StreamWatch;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatRequest;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.config.ProviderConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Anthropic's Messages API: {@code POST {baseUrl}/messages} ({@code baseUrl} like {@code https://api.anthropic.com/v1})
 * with {@code x-api-key} and {@code anthropic-version: 2023-06-01}, the OpenAI request translated to a Messages
 * request and the answer back to a {@code chat.completion}. A whole answer's exchange, body included, is bounded by
 * the call's timeout. A stream is read as it arrives, one event at a time on the request thread, each event parsed
 * once and translated into chunks; its silences are bounded by the call's {@link StreamWatch}, and closing the body
 * (caller gone, timeout) cancels the upstream request. A stream that ends before {@code message_stop} is truncated,
 * never complete. Requests without a token cap get the provider's {@code defaultMaxTokens}, else
 * {@link #DEFAULT_MAX_TOKENS}: the API requires one.
 */
public final class AnthropicProvider extends ChatProvider {
    /** The {@code anthropic-version} sent (the wire format this provider speaks). */
    public static final String API_VERSION = "2023-06-01";
    /** {@code max_tokens} of a request that sets no cap on a provider without {@code defaultMaxTokens}. */
    public static final int DEFAULT_MAX_TOKENS = 4096;

    private final Supplier<HttpClient> client;
    private final SecretResolver secrets;
    private final InstantSource clock;
    private final URI endpoint;
    private final HttpClient.Version version;

    /** A provider for {@code config} over {@code client}. */
    public AnthropicProvider(ProviderConfig config, Supplier<HttpClient> client, SecretResolver secrets,
            InstantSource clock) {
        super(config);
        this.client = client;
        this.secrets = secrets;
        this.clock = clock;
        this.endpoint = URI.create(config.baseUrl() + "/messages");
        this.version = "https".equals(endpoint.getScheme()) ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1;
    }

    @Override
    protected ChatResponse doChat(ProviderCall call) throws Exception {
        HttpRequest request = request(call, body(call, false), "application/json");
        HttpResponse<byte[]> response = call.upstream(() -> {
            CompletableFuture<HttpResponse<byte[]>> f =
                    client.get().sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
            try {
                return f.get(call.timeout().toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                throw e;
            }
        });
        if (response.statusCode() / 100 != 2) {
            throw failure(response, response.body());
        }
        return AnthropicResponses.read(response.body(), clock.instant().getEpochSecond());
    }

    @Override
    protected StreamResult doStream(ProviderCall call, StreamSink sink) throws Exception {
        HttpRequest request = request(call, body(call, true), "text/event-stream");
        try (StreamWatch watch = call.watch()) {
            CompletableFuture<HttpResponse<InputStream>> f =
                    client.get().sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
            watch.upstream(() -> f.cancel(true));
            HttpResponse<InputStream> response = call.upstream(() -> awaitHeaders(f, watch));
            try (InputStream in = response.body()) {
                watch.upstream(in);
                if (response.statusCode() / 100 != 2) {
                    throw failure(response, in.readNBytes(64 * 1024));
                }
                String contentType = response.headers().firstValue("content-type").orElse("");
                if (!contentType.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
                    throw GatewayException.of(ErrorKind.UPSTREAM_INVALID_RESPONSE,
                            "Provider '" + name() + "' did not answer with an event stream.");
                }
                return relay(call, new SseDecoder(in), sink, watch);
            }
        }
    }

    private byte[] body(ProviderCall call, boolean stream) {
        return AnthropicRequests.write(call.request(), call.providerModel(), stream, DEFAULT_MAX_TOKENS, name());
    }

    private GatewayException failure(HttpResponse<?> response, byte[] body) {
        return UpstreamErrors.fromStatus(name(), response.statusCode(),
                response.headers().firstValue("retry-after").orElse(null), null, body, clock.instant());
    }

    /** Translates each event as it arrives; returns only for a stream that ended with {@code message_stop}. */
    private StreamResult relay(ProviderCall call, SseDecoder events, StreamSink sink, StreamWatch watch)
            throws Exception {
        AnthropicStream stream = new AnthropicStream(name(), clock, includeUsage(call.request()), json -> {
            watch.busy(true);
            try {
                sink.chunk(Chunk.of(json));
            } finally {
                watch.busy(false);
            }
        });
        var ticker = call.ticker();
        while (true) {
            long waitStart = ticker.read();
            String data;
            try {
                data = events.next();
            } catch (IOException e) {
                if (watch.expired() != null) {
                    throw expired(watch);
                }
                throw GatewayException.of(ErrorKind.STREAM_TRUNCATED,
                        "Provider '" + name() + "' broke off the stream before it was complete.").withCause(e);
            } finally {
                call.addUpstreamNanos(ticker.read() - waitStart);
            }
            if (data == null) {
                if (watch.expired() != null) {
                    throw expired(watch);
                }
                if (stream.chunks() == 0) {
                    throw GatewayException.of(ErrorKind.UPSTREAM_INVALID_RESPONSE,
                            "Provider '" + name() + "' ended the stream without data.");
                }
                throw GatewayException.of(ErrorKind.STREAM_TRUNCATED,
                        "Provider '" + name() + "' ended the stream before it was complete.");
            }
            call.event(watch);
            if (stream.accept(events.event(), data)) {
                return stream.result();
            }
        }
    }

    private static boolean includeUsage(ChatRequest r) {
        return r.streamOptions() != null && r.streamOptions().path("include_usage").asBoolean(false);
    }

    /** Waits for the response headers; the watch may cancel the wait (first-event timeout, deadline). */
    private static HttpResponse<InputStream> awaitHeaders(CompletableFuture<HttpResponse<InputStream>> f,
            StreamWatch watch) throws Exception {
        try {
            return f.get();
        } catch (CancellationException | ExecutionException e) {
            // the watch cancelled the request (timeout, deadline, caller gone); the client reports that in either form
            if (watch.expired() != null || f.isCancelled() || e instanceof CancellationException
                    || e.getCause() instanceof CancellationException) {
                throw expired(watch);
            }
            throw e;
        }
    }

    private static Exception expired(StreamWatch watch) {
        StreamWatch.Expiry why = watch.expired();
        return new HttpTimeoutException(why == null ? "stream cancelled" : "stream " + why);
    }

    private HttpRequest request(ProviderCall call, byte[] body, String accept) {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint)
                .version(version)
                .timeout(call.timeout())
                .header("content-type", "application/json")
                .header("accept", accept)
                .header("anthropic-version", API_VERSION)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (Map.Entry<String, String> h : config().headers().entrySet()) {
            b.setHeader(h.getKey(), h.getValue()); // e.g. anthropic-beta, or another anthropic-version
        }
        if (config().apiKey() != null) {
            b.setHeader("x-api-key", secrets.resolve(config().apiKey())); // the key wins
        }
        return b.build();
    }
}
