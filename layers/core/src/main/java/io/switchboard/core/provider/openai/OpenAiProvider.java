package io.switchboard.core.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.provider.ChatProvider;
import io.switchboard.core.provider.ChunkSink;
import io.switchboard.core.provider.ProviderCall;
import io.switchboard.core.provider.StreamResult;
import io.switchboard.core.provider.UpstreamErrors;
import io.switchboard.core.secrets.SecretResolver;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.chat.Usage;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.json.ChatJson;
import io.switchboard.shared.json.ChatResponseReader;
import io.switchboard.shared.json.Json;
import java.io.IOException;
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
 * Any OpenAI-compatible endpoint: {@code POST {baseUrl}/chat/completions}. The request goes out with every field the
 * caller sent (unknown ones included) and {@code model} replaced by the provider's id. The whole exchange, body
 * included, is bounded by the call's timeout. HTTP/2 is asked for on {@code https} (HTTP/1.1 on plain {@code http},
 * where local servers such as vLLM or Ollama rarely speak h2c), over the one client the environment shares.
 */
public final class OpenAiProvider extends ChatProvider {
    private final Supplier<HttpClient> client;
    private final SecretResolver secrets;
    private final InstantSource clock;
    private final URI endpoint;
    private final HttpClient.Version version;

    /** A provider for {@code config} over {@code client}. */
    public OpenAiProvider(ProviderConfig config, Supplier<HttpClient> client, SecretResolver secrets,
            InstantSource clock) {
        super(config);
        this.client = client;
        this.secrets = secrets;
        this.clock = clock;
        this.endpoint = URI.create(config.baseUrl() + "/chat/completions");
        this.version = "https".equals(endpoint.getScheme()) ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1;
    }

    @Override
    protected ChatResponse doChat(ProviderCall call) throws Exception {
        byte[] body = ChatJson.writeRequest(call.request(), call.providerModel(), false);
        HttpResponse<byte[]> response = exchange(call, body, "application/json");
        return ChatResponseReader.read(response.body());
    }

    @Override
    protected StreamResult doStream(ProviderCall call, ChunkSink sink) throws Exception {
        byte[] body = ChatJson.writeRequest(call.request(), call.providerModel(), true);
        HttpResponse<byte[]> response = exchange(call, body, "text/event-stream");
        String contentType = response.headers().firstValue("content-type").orElse("");
        if (!contentType.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream")) {
            throw GatewayException.of(ErrorKind.UPSTREAM_INVALID_RESPONSE,
                    "Provider '" + name() + "' did not answer with an event stream.");
        }
        StreamState state = new StreamState(sink);
        boolean done = SseParser.parse(response.body(), state);
        if (!done && state.chunks == 0) {
            throw GatewayException.of(ErrorKind.UPSTREAM_INVALID_RESPONSE,
                    "Provider '" + name() + "' ended the stream without data.");
        }
        return new StreamResult(state.usage, state.finishReason, state.chunks);
    }

    private HttpResponse<byte[]> exchange(ProviderCall call, byte[] body, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint)
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
        HttpRequest request = b.build();
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

    /** Forwards chunks verbatim while noting usage and the finish reason. */
    private final class StreamState implements java.util.function.Consumer<String> {
        private final ChunkSink sink;
        private Usage usage = Usage.NONE;
        private String finishReason;
        private int chunks;

        StreamState(ChunkSink sink) {
            this.sink = sink;
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
                        "Provider '" + name() + "' failed during the stream.");
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
            sink.chunk(data.getBytes(StandardCharsets.UTF_8));
            chunks++;
        }
    }
}
