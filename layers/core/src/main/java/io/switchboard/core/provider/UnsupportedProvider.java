package io.switchboard.core.provider;

import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.config.ProviderConfig;

/**
 * A provider whose models can be discovered but not yet called for completions (Bedrock): every call
 * answers 400 {@code provider_not_supported} naming the provider type.
 */
final class UnsupportedProvider extends ChatProvider {
    UnsupportedProvider(ProviderConfig config) {
        super(config);
    }

    private GatewayException unsupported() {
        return GatewayException.of(ErrorKind.INVALID_REQUEST, "Completions through provider '" + name()
                + "' (type " + config().type().id() + ") are not supported by this gateway yet; its models are "
                + "listed for discovery only.").withParam("model").withCode("provider_not_supported");
    }

    @Override
    protected ChatResponse doChat(ProviderCall call) {
        throw unsupported();
    }

    @Override
    protected io.switchboard.core.stream.StreamResult doStream(ProviderCall call, io.switchboard.core.stream.StreamSink sink) {
        throw unsupported();
    }
}
