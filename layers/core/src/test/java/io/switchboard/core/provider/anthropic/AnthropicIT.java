package io.switchboard.core.provider.anthropic;

import io.switchboard.core.net.Http1Client;
import io.switchboard.core.provider.LiveChecks;
import io.switchboard.core.secrets.SecretResolver;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.config.ProviderType;
import io.switchboard.shared.config.SecretRef;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Opt-in: {@link AnthropicProvider} against Anthropic's real Messages API ({@code https://api.anthropic.com/v1}): a
 * plain answer, a stream with usage, and a forced tool call ({@link LiveChecks}). Runs only when
 * {@code SWITCHBOARD_IT=1} and {@code ANTHROPIC_API_KEY} are set (model: {@code ANTHROPIC_IT_MODEL}, default
 * {@value #DEFAULT_MODEL}); never part of the default build, whose surefire run includes only {@code *Test} classes.
 * See README §"Tests against the real APIs".
 */
@EnabledIfEnvironmentVariable(named = "SWITCHBOARD_IT", matches = "1")
@EnabledIfEnvironmentVariable(named = "ANTHROPIC_API_KEY", matches = ".+")
class AnthropicIT {
    static final String DEFAULT_MODEL = "claude-haiku-4-5";

    private static Http1Client http;
    private static AnthropicProvider provider;
    private static String model;

    @BeforeAll
    static void provider() {
        String m = System.getenv("ANTHROPIC_IT_MODEL");
        model = m == null || m.isBlank() ? DEFAULT_MODEL : m;
        http = Http1Client.withDefaults();
        // the key is read from the environment by reference, as a deployment's config names it
        provider = new AnthropicProvider(new ProviderConfig("anthropic", ProviderType.ANTHROPIC,
                URI.create("https://api.anthropic.com/v1"), new SecretRef(SecretRef.Source.ENV, "ANTHROPIC_API_KEY"),
                LiveChecks.TIMEOUT, null, null, Map.of()), () -> http,
                new SecretResolver(System.getenv(), name -> {
                    throw new IllegalStateException("no SSM in this test");
                }, System::nanoTime, Duration.ofMinutes(5)), InstantSource.system());
    }

    @AfterAll
    static void close() {
        if (http != null) {
            http.close();
        }
    }

    @Test
    void plainAnswer() {
        LiveChecks.plain(provider, model);
    }

    @Test
    void streamedAnswer() {
        LiveChecks.stream(provider, model);
    }

    @Test
    void toolCall() {
        LiveChecks.toolCall(provider, model);
    }
}
