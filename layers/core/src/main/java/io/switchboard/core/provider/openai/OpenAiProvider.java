package io.switchboard.core.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.net.Http1Call;
import io.switchboard.core.net.Http1Client;
import io.switchboard.core.net.Http1Response;
import io.switchboard.core.provider.ChatProvider;
import io.switchboard.core.provider.EmbeddingCall;
import io.switchboard.core.provider.ProviderCall;
import io.switchboard.core.provider.UpstreamCall;
import io.switchboard.core.provider.UpstreamErrors;
import io.switchboard.core.stream.Chunk;
import io.switchboard.core.stream.SseDecoder;
import io.switchboard.core.stream.StreamResult;
import io.switchboard.core.stream.StreamSink;
import io.switchboard.core.stream.StreamWatch;
import io.switchboard.core.secrets.SecretResolver;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.chat.Usage;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.embeddings.EmbeddingResponse;
import io.switchboard.shared.json.ChatJson;
import io.switchboard.shared.json.ChatResponseReader;
import io.switchboard.shared.json.EmbeddingJson;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Any OpenAI-compatible endpoint: {@code POST {baseUrl}/chat/completions} and {@code POST {baseUrl}/embeddings}. The
 * request goes out with every field the caller sent (unknown ones included) and {@code model} replaced by the
 * provider's id. A whole answer's exchange, body included, is bounded by the call's timeout. Embeddings are read in
 * either encoding the provider answers with (numbers or base64), whatever {@code encoding_format} asked for. A stream is read as it arrives, one event at a time on the request
 * thread, each chunk parsed once and forwarded verbatim; its silences are bounded by the call's {@link StreamWatch},
 * and closing the body (caller gone, timeout) cancels the upstream request. A stream that ends without
 * {@code [DONE]} is truncated, never complete. HTTP/1.1 on blocking sockets driven by the request thread
 * ({@link Http1Client}, plain or TLS), one kept-alive connection per destination and environment.
 */
public final class OpenAiProvider extends ChatProvider {
    /** How much of an error answer is read for its error object. */
    static final int ERROR_BODY_LIMIT = 64 * 1024;

    private final Supplier<Http1Client> client;
    private final SecretResolver secrets;
    private final InstantSource clock;
    private final URI endpoint;
    private final URI embeddingsEndpoint;

    /** A provider for {@code config} over {@code client}. */
    public OpenAiProvider(ProviderConfig config, Supplier<Http1Client> client, SecretResolver secrets,
            InstantSource clock) {
        super(config);
        this.client = client;
        this.secrets = secrets;
        this.clock = clock;
        this.endpoint = URI.create(config.baseUrl() + "/chat/completions");
        this.embeddingsEndpoint = URI.create(config.baseUrl() + "/embeddings");
    }

    @Override
    protected ChatResponse doChat(ProviderCall call) throws Exception {
        byte[] body = ChatJson.writeRequest(call.request(), call.providerModel(), false);
        return ChatResponseReader.read(exchange(endpoint, call, body));
    }

    @Override
    protected EmbeddingResponse doEmbed(EmbeddingCall call) throws Exception {
        byte[] body = EmbeddingJson.writeRequest(call.request(), call.providerModel());
        return EmbeddingJson.readResponse(exchange(embeddingsEndpoint, call, body), call.providerModel());
    }

    @Override
    protected StreamResult doStream(ProviderCall call, StreamSink sink) throws Exception {
        byte[] body = ChatJson.writeRequest(call.request(), call.providerModel(), true);
        Http1Call exchange = client.get().post(endpoint, headers(call, "text/event-stream"), body);
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
                int status = response.status();
                if (status / 100 != 2) {
                    throw UpstreamErrors.fromStatus(name(), status, response.header("retry-after"),
                            response.header("retry-after-ms"), in.readNBytes(ERROR_BODY_LIMIT), clock.instant());
                }
                String contentType = response.header("content-type");
                if (contentType == null
                        || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream")) {
                    throw GatewayException.of(ErrorKind.UPSTREAM_INVALID_RESPONSE,
                            "Provider '" + name() + "' did not answer with an event stream.");
                }
                return relay(call, new SseDecoder(in), sink, watch);
            }
        }
    }

    private static Exception expired(StreamWatch watch) {
        StreamWatch.Expiry why = watch.expired();
        return new java.net.http.HttpTimeoutException(why == null ? "stream cancelled" : "stream " + why);
    }

    /** Forwards each event as it arrives; returns only for a stream that ended with {@code [DONE]}. */
    private StreamResult relay(ProviderCall call, SseDecoder events, StreamSink sink, StreamWatch watch)
            throws Exception {
        StreamState state = new StreamState(sink, watch);
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
                if (state.chunks == 0) {
                    throw GatewayException.of(ErrorKind.UPSTREAM_INVALID_RESPONSE,
                            "Provider '" + name() + "' ended the stream without data.");
                }
                throw GatewayException.of(ErrorKind.STREAM_TRUNCATED,
                        "Provider '" + name() + "' ended the stream before it was complete.");
            }
            call.event(watch);
            if (data.equals("[DONE]")) {
                return new StreamResult(state.usage, state.finishReason, state.chunks);
            }
            state.accept(data);
        }
    }

    /** One whole JSON exchange with {@code uri}, bounded by the call's timeout, body included; non-2xx mapped. */
    private byte[] exchange(URI uri, UpstreamCall call, byte[] body) throws Exception {
        Http1Call exchange = client.get().post(uri, headers(call, "application/json"), body);
        return call.upstream(() -> {
            try (Http1Response response = exchange.execute(call.timeout())) {
                int status = response.status();
                if (status / 100 != 2) {
                    throw UpstreamErrors.fromStatus(name(), status, response.header("retry-after"),
                            response.header("retry-after-ms"), response.body().readNBytes(ERROR_BODY_LIMIT),
                            clock.instant());
                }
                return response.bytes(Integer.MAX_VALUE - 8);
            }
        });
    }

    /** The request's headers: the configured ones over the defaults, the key over both. */
    private Map<String, String> headers(UpstreamCall call, String accept) {
        Map<String, String> h = new LinkedHashMap<>(8);
        h.put("content-type", "application/json");
        h.put("accept", accept);
        for (Map.Entry<String, String> e : config().headers().entrySet()) {
            h.put(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue());
        }
        if (config().apiKey() != null) {
            h.put("authorization", "Bearer " + secrets.resolve(config().apiKey())); // the key wins
        }
        if (call.requestId() != null) {
            h.put("x-request-id", call.requestId());
        }
        return h;
    }

    /** Forwards chunks verbatim while noting usage and the finish reason. */
    private final class StreamState implements java.util.function.Consumer<String> {
        private final StreamSink sink;
        private final StreamWatch watch;
        private Usage usage = Usage.NONE;
        private String finishReason;
        private int chunks;

        StreamState(StreamSink sink, StreamWatch watch) {
            this.sink = sink;
            this.watch = watch;
        }

        @Override
        public void accept(String data) {
            JsonNode chunk;
            try {
                chunk = Json.MAPPER.readTree(data);
            } catch (IOException e) {
                throw GatewayException.of(ErrorKind.UPSTREAM_INVALID_RESPONSE,
                        "Provider '" + name() + "' sent an event that is not JSON.").withCause(
                        new UncheckedIOException(e));
            }
            if (chunk == null || !chunk.isObject()) {
                throw GatewayException.of(ErrorKind.UPSTREAM_INVALID_RESPONSE,
                        "Provider '" + name() + "' sent an event that is not a JSON object.");
            }
            if (chunk.has("error")) {
                throw GatewayException.of(ErrorKind.UPSTREAM_ERROR,
                        "Provider '" + name() + "' failed during the stream.").withCode("upstream_stream_error");
            }
            JsonNode u = chunk.get("usage");
            if (u != null && u.isObject()) {
                usage = ChatResponseReader.usage(u);
            }
            for (JsonNode choice : chunk.path("choices")) {
                JsonNode f = choice.get("finish_reason");
                if (f != null && f.isTextual()) {
                    finishReason = f.textValue();
                }
            }
            watch.busy(true);
            try {
                sink.chunk(Chunk.parsed(data.getBytes(StandardCharsets.UTF_8), chunk));
            } finally {
                watch.busy(false);
            }
            chunks++;
        }
    }
}
