package io.switchboard.core.provider.anthropic;

import io.switchboard.core.net.Http1Call;
import io.switchboard.core.net.Http1Client;
import io.switchboard.core.net.Http1Response;
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
import java.net.http.HttpTimeoutException;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Anthropic's Messages API: {@code POST {baseUrl}/messages} ({@code baseUrl} like {@code https://api.anthropic.com/v1})
 * with {@code x-api-key} and {@code anthropic-version: 2023-06-01}, the OpenAI request translated to a Messages
 * request and the answer back to a {@code chat.completion}. A whole answer's exchange, body included, is bounded by
 * the call's timeout. A stream is read as it arrives, one event at a time on the request thread, each event parsed
 * once and translated into chunks; its silences are bounded by the call's {@link StreamWatch}, and closing the
 * connection (caller gone, timeout) cancels the upstream request. HTTP/1.1 over {@link Http1Client}. A stream that ends before {@code message_stop} is truncated,
 * never complete. Requests without a token cap get the provider's {@code defaultMaxTokens}, else
 * {@link #DEFAULT_MAX_TOKENS}: the API requires one.
 */
public final class AnthropicProvider extends ChatProvider {
    /** The {@code anthropic-version} sent (the wire format this provider speaks). */
    public static final String API_VERSION = "2023-06-01";
    /** {@code max_tokens} of a request that sets no cap on a provider without {@code defaultMaxTokens}. */
    public static final int DEFAULT_MAX_TOKENS = 4096;

    /** How much of an error answer is read for its error object. */
    static final int ERROR_BODY_LIMIT = 64 * 1024;

    private final Supplier<Http1Client> client;
    private final SecretResolver secrets;
    private final InstantSource clock;
    private final URI endpoint;

    /** A provider for {@code config} over {@code client}. */
    public AnthropicProvider(ProviderConfig config, Supplier<Http1Client> client, SecretResolver secrets,
            InstantSource clock) {
        super(config);
        this.client = client;
        this.secrets = secrets;
        this.clock = clock;
        this.endpoint = URI.create(config.baseUrl() + "/messages");
    }

    @Override
    protected ChatResponse doChat(ProviderCall call) throws Exception {
        Http1Call exchange = client.get().post(endpoint, headers("application/json"), body(call, false));
        byte[] body = call.upstream(() -> {
            try (Http1Response response = exchange.execute(call.timeout())) {
                if (response.status() / 100 != 2) {
                    throw failure(response, response.body().readNBytes(ERROR_BODY_LIMIT));
                }
                return response.bytes(Integer.MAX_VALUE - 8);
            }
        });
        return AnthropicResponses.read(body, clock.instant().getEpochSecond());
    }

    @Override
    protected StreamResult doStream(ProviderCall call, StreamSink sink) throws Exception {
        Http1Call exchange = client.get().post(endpoint, headers("text/event-stream"), body(call, true));
        try (StreamWatch watch = call.watch()) {
            watch.upstream(exchange); // closing the call's connection cancels it, before or after the answer's head
            Http1Response response;
            try {
                response = call.upstream(() -> exchange.execute(null));
            } catch (IOException e) {
                if (watch.expired() != null) {
                    throw expired(watch);
                }
                throw e;
            }
            try (response) {
                InputStream in = response.body();
                if (response.status() / 100 != 2) {
                    throw failure(response, in.readNBytes(ERROR_BODY_LIMIT));
                }
                String contentType = response.header("content-type");
                if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
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

    private GatewayException failure(Http1Response response, byte[] body) {
        return UpstreamErrors.fromStatus(name(), response.status(), response.header("retry-after"), null, body,
                clock.instant());
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

    private static Exception expired(StreamWatch watch) {
        StreamWatch.Expiry why = watch.expired();
        return new HttpTimeoutException(why == null ? "stream cancelled" : "stream " + why);
    }

    /** The request's headers: the configured ones over the defaults, the key over both. */
    private Map<String, String> headers(String accept) {
        Map<String, String> h = new LinkedHashMap<>(8);
        h.put("content-type", "application/json");
        h.put("accept", accept);
        h.put("anthropic-version", API_VERSION);
        for (Map.Entry<String, String> e : config().headers().entrySet()) {
            h.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()); // e.g. anthropic-beta, or another version
        }
        if (config().apiKey() != null) {
            h.put("x-api-key", secrets.resolve(config().apiKey())); // the key wins
        }
        return h;
    }
}
