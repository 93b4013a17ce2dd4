package io.switchboard.core.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Any OpenAI-compatible endpoint: {@code POST {baseUrl}/chat/completions} and {@code POST {baseUrl}/embeddings}. The
 * request goes out with every field the caller sent (unknown ones included) and {@code model} replaced by the
 * provider's id. A whole answer's exchange, body included, is bounded by the call's timeout. Embeddings are read in
 * either encoding the provider answers with (numbers or base64), whatever {@code encoding_format} asked for. A stream is read as it arrives, one event at a time on the request
 * thread, each chunk parsed once and forwarded verbatim; its silences are bounded by the call's {@link StreamWatch},
 * and closing the body (caller gone, timeout) cancels the upstream request. A stream that ends without
 * {@code [DONE]} is truncated, never complete. HTTP/2 is asked for on {@code https} (HTTP/1.1 on plain {@code http},
 * where local servers such as vLLM or Ollama rarely speak h2c), over the one client the environment shares.
 */
public final class OpenAiProvider extends ChatProvider {
    private final Supplier<HttpClient> client;
    private final SecretResolver secrets;
    private final InstantSource clock;
    private final URI endpoint;
    private final URI embeddingsEndpoint;
    private final HttpClient.Version version;

    /** A provider for {@code config} over {@code client}. */
    public OpenAiProvider(ProviderConfig config, Supplier<HttpClient> client, SecretResolver secrets,
            InstantSource clock) {
        super(config);
        this.client = client;
        this.secrets = secrets;
        this.clock = clock;
        this.endpoint = URI.create(config.baseUrl() + "/chat/completions");
        this.embeddingsEndpoint = URI.create(config.baseUrl() + "/embeddings");
        this.version = "https".equals(endpoint.getScheme()) ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1;
    }

    @Override
    protected ChatResponse doChat(ProviderCall call) throws Exception {
        byte[] body = ChatJson.writeRequest(call.request(), call.providerModel(), false);
        HttpResponse<byte[]> response = exchange(endpoint, call, body);
        return ChatResponseReader.read(response.body());
    }

    @Override
    protected EmbeddingResponse doEmbed(EmbeddingCall call) throws Exception {
        byte[] body = EmbeddingJson.writeRequest(call.request(), call.providerModel());
        HttpResponse<byte[]> response = exchange(embeddingsEndpoint, call, body);
        return EmbeddingJson.readResponse(response.body(), call.providerModel());
    }

    @Override
    protected StreamResult doStream(ProviderCall call, StreamSink sink) throws Exception {
        byte[] body = ChatJson.writeRequest(call.request(), call.providerModel(), true);
        HttpRequest request = request(endpoint, call, body, "text/event-stream");
        try (StreamWatch watch = call.watch()) {
            CompletableFuture<HttpResponse<InputStream>> f =
                    client.get().sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
            watch.upstream(() -> f.cancel(true));
            HttpResponse<InputStream> response = call.upstream(() -> awaitHeaders(f, watch));
            try (InputStream in = response.body()) {
                watch.upstream(in);
                int status = response.statusCode();
                if (status / 100 != 2) {
                    throw UpstreamErrors.fromStatus(name(), status,
                            response.headers().firstValue("retry-after").orElse(null),
                            response.headers().firstValue("retry-after-ms").orElse(null),
                            in.readNBytes(64 * 1024), clock.instant());
                }
                String contentType = response.headers().firstValue("content-type").orElse("");
                if (!contentType.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream")) {
                    throw GatewayException.of(ErrorKind.UPSTREAM_INVALID_RESPONSE,
                            "Provider '" + name() + "' did not answer with an event stream.");
                }
                return relay(call, new SseDecoder(in), sink, watch);
            }
        }
    }

    /** Waits for the response headers; the watch may cancel the wait (first-event timeout, deadline). */
    private static HttpResponse<InputStream> awaitHeaders(CompletableFuture<HttpResponse<InputStream>> f,
            StreamWatch watch) throws Exception {
        try {
            return f.get();
        } catch (java.util.concurrent.CancellationException | java.util.concurrent.ExecutionException e) {
            // the watch cancelled the request (timeout, deadline, caller gone); the client reports that in either form
            if (watch.expired() != null || f.isCancelled()
                    || e instanceof java.util.concurrent.CancellationException
                    || e.getCause() instanceof java.util.concurrent.CancellationException) {
                throw expired(watch);
            }
            throw e;
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
    private HttpResponse<byte[]> exchange(URI uri, UpstreamCall call, byte[] body) throws Exception {
        HttpRequest request = request(uri, call, body, "application/json");
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
        int status = response.statusCode();
        if (status / 100 != 2) {
            throw UpstreamErrors.fromStatus(name(), status, response.headers().firstValue("retry-after").orElse(null),
                    response.headers().firstValue("retry-after-ms").orElse(null), response.body(), clock.instant());
        }
        return response;
    }

    private HttpRequest request(URI uri, UpstreamCall call, byte[] body, String accept) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .version(version)
                .timeout(call.timeout())
                .header("content-type", "application/json")
                .header("accept", accept)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (Map.Entry<String, String> h : config().headers().entrySet()) {
            b.setHeader(h.getKey(), h.getValue());
        }
        if (config().apiKey() != null) {
            b.setHeader("authorization", "Bearer " + secrets.resolve(config().apiKey())); // the key wins
        }
        if (call.requestId() != null) {
            b.setHeader("x-request-id", call.requestId());
        }
        return b.build();
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
