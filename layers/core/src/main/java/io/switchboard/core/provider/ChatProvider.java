package io.switchboard.core.provider;

import io.switchboard.core.http.CallerGoneException;
import io.switchboard.core.stream.StreamResult;
import io.switchboard.core.stream.StreamSink;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.embeddings.EmbeddingResponse;
import io.switchboard.shared.config.ProviderConfig;
import java.util.Objects;

/**
 * A model provider. {@link #call} is a template: it applies the provider's defaults to the request, lets the
 * implementation do the wire call (streamed when the request asks for a stream, whole otherwise), whose events go
 * to a {@link StreamSink} as they arrive, and maps any failure to a {@link GatewayException} (a caller that went
 * away is passed on as it is). {@link #embed} is the same template for embeddings: a provider that can embed
 * overrides {@link #doEmbed}; one that cannot keeps the default, which refuses with 400 {@code provider_not_supported}.
 * Implementations are thread-safe and built once per configuration.
 */
public abstract class ChatProvider implements AutoCloseable {
    private final ProviderConfig config;

    /** A provider for {@code config}. */
    protected ChatProvider(ProviderConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** The configured name. */
    public final String name() {
        return config.name();
    }

    /** The configuration this provider was built from. */
    public final ProviderConfig config() {
        return config;
    }

    /**
     * The one entry point of the request path: the answer to {@code call}'s request goes to {@code sink} as it arrives, chunk by chunk
     * when the request asks for a stream ({@link #doStream}), whole otherwise ({@link #doChat}).
     */
    public final StreamResult call(ProviderCall call, StreamSink sink) {
        try {
            ProviderCall c = withDefaults(call);
            if (c.request().stream()) {
                return doStream(c, sink);
            }
            ChatResponse response = doChat(c);
            sink.completion(response);
            return StreamResult.of(response);
        } catch (CallerGoneException e) {
            throw e;
        } catch (Throwable t) {
            throw UpstreamErrors.map(name(), t);
        }
    }

    /** A streamed completion whatever the request says: each chunk to {@code sink} as it arrives. */
    public final StreamResult stream(ProviderCall call, StreamSink sink) {
        try {
            return doStream(withDefaults(call), sink);
        } catch (CallerGoneException e) {
            throw e;
        } catch (Throwable t) {
            throw UpstreamErrors.map(name(), t);
        }
    }

    /** A whole (non-streamed) completion whatever the request says. */
    public final ChatResponse chat(ProviderCall call) {
        try {
            return doChat(withDefaults(call));
        } catch (Throwable t) {
            throw UpstreamErrors.map(name(), t);
        }
    }

    /**
     * Embeddings of {@code call}'s input, one per input item, in input order ({@link #doEmbed}). An answer that does
     * not have exactly one embedding per input index is {@code upstream_invalid_response}; every failure is mapped
     * into the taxonomy.
     */
    public final EmbeddingResponse embed(EmbeddingCall call) {
        EmbeddingResponse response;
        try {
            response = doEmbed(call);
        } catch (Throwable t) {
            throw UpstreamErrors.map(name(), t);
        }
        int inputs = call.request().input().size();
        if (response == null || !response.answers(inputs)) {
            throw GatewayException.of(ErrorKind.UPSTREAM_INVALID_RESPONSE, "Provider '" + name()
                    + "' did not answer one embedding per input (" + inputs + " sent).");
        }
        return response;
    }

    /**
     * The wire call for embeddings. The default refuses: 400 {@code provider_not_supported} naming the provider and
     * its type, {@code param} {@code model}. A provider that implements it receives the validated request as the
     * caller sent it (every input shape, {@code dimensions}, {@code encoding_format}, unknown fields) and answers
     * float32 vectors; the gateway writes them in the caller's encoding. A provider that cannot serve a shape or an
     * option (say token ids) refuses it with a 400 naming the field.
     */
    protected EmbeddingResponse doEmbed(EmbeddingCall call) throws Exception {
        throw GatewayException.of(ErrorKind.INVALID_REQUEST, "Embeddings through provider '" + name() + "' (type "
                + config.type().id() + ") are not supported by this gateway.").withParam("model")
                .withCode("provider_not_supported");
    }

    private ProviderCall withDefaults(ProviderCall call) {
        Integer maxTokens = config.defaultMaxTokens();
        if (maxTokens != null && call.request().tokenLimit() == null) {
            call.replaceRequest(call.request().withDefaultMaxTokens(maxTokens));
        }
        return call;
    }

    /** The wire call for a complete completion. */
    protected abstract ChatResponse doChat(ProviderCall call) throws Exception;

    /**
     * The wire call for a streamed completion: each chunk to {@code sink} as it arrives. A stream the provider cut
     * short must end in an exception ({@code STREAM_TRUNCATED}), never in a result.
     */
    protected abstract StreamResult doStream(ProviderCall call, StreamSink sink) throws Exception;

    /**
     * Loads what the provider's request path needs, offline, before a SnapStart snapshot: no socket, no key, no
     * upstream call. Clients it builds are the environment's, closed before the snapshot with the others.
     */
    public void prime() {
    }

    /** Releases what the provider holds. Shared clients are not closed here. */
    @Override
    public void close() {
    }
}
