package io.switchboard.core.provider;

import io.switchboard.core.aws.BedrockRuntimeClients;
import io.switchboard.core.provider.anthropic.AnthropicProvider;
import io.switchboard.core.provider.bedrock.BedrockProvider;
import io.switchboard.core.provider.mock.MockProvider;
import io.switchboard.core.provider.mock.Sleeper;
import io.switchboard.core.provider.openai.OpenAiProvider;
import io.switchboard.core.secrets.SecretResolver;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.core.net.Http1Client;
import java.time.InstantSource;
import java.util.function.Supplier;

/**
 * Builds providers from their configuration, handing each the environment's shared collaborators.
 *
 * @param httpClient the environment's HTTP/1.1 client for providers, built on first use
 * @param secrets resolves provider keys
 * @param clock wall time (for {@code created} and HTTP dates)
 * @param sleeper the mock provider's simulated latency
 * @param bedrock the environment's Bedrock Runtime clients (the {@code bedrock} provider's)
 */
public record ProviderFactory(Supplier<Http1Client> httpClient, SecretResolver secrets, InstantSource clock,
        Sleeper sleeper, BedrockRuntimeClients bedrock) {

    /** A new provider for {@code config}. */
    public ChatProvider create(ProviderConfig config) {
        return switch (config.type()) {
            case OPENAI -> new OpenAiProvider(config, httpClient, secrets, clock);
            case MOCK -> new MockProvider(config, clock, sleeper);
            case ANTHROPIC -> new AnthropicProvider(config, httpClient, secrets, clock);
            case BEDROCK -> new BedrockProvider(config, bedrock, clock);
        };
    }
}
