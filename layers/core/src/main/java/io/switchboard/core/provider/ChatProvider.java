package io.switchboard.core.provider;

import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.config.ProviderConfig;
import java.util.Objects;

/**
 * A model provider. The public calls are a template: they apply the provider's defaults to the request, let the
 * implementation do the wire call (which times its exchange through {@link ProviderCall#upstream}), and map any
 * failure to a {@link GatewayException}. Implementations are thread-safe and built once per configuration.
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

    /** A complete (non-streamed) completion. */
    public final ChatResponse chat(ProviderCall call) {
        try {
            return doChat(withDefaults(call));
        } catch (Throwable t) {
            throw UpstreamErrors.map(name(), t);
        }
    }

    /** A streamed completion: chunks go to {@code sink} as they arrive. */
    public final StreamResult stream(ProviderCall call, ChunkSink sink) {
        try {
            return doStream(withDefaults(call), sink);
        } catch (Throwable t) {
            throw UpstreamErrors.map(name(), t);
        }
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

    /** The wire call for a streamed completion. */
    protected abstract StreamResult doStream(ProviderCall call, ChunkSink sink) throws Exception;

    /** Releases what the provider holds. Shared clients are not closed here. */
    @Override
    public void close() {
    }
}
