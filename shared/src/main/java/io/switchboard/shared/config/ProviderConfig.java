package io.switchboard.shared.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One configured provider. Equal configurations build the same provider; a change rebuilds it.
 *
 * @param name unique name, used in routes ({@code name/model-id})
 * @param type its wire protocol
 * @param baseUrl API base, e.g. {@code https://api.openai.com/v1}; null for {@code mock}, optional for {@code bedrock}
 *     (an endpoint override)
 * @param apiKey where its key comes from, or null when it needs none
 * @param timeout upper bound of one upstream call
 * @param defaultMaxTokens token cap applied when a request sets none, or null
 * @param latency simulated latency of the mock provider (zero otherwise)
 * @param headers extra headers sent with every call (no secrets: use {@code apiKey})
 */
public record ProviderConfig(String name, ProviderType type, URI baseUrl, SecretRef apiKey, Duration timeout,
        Integer defaultMaxTokens, Duration latency, Map<String, String> headers) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    public ProviderConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("provider name '" + name + "' must match " + NAME.pattern());
        }
        if (type == ProviderType.OPENAI || type == ProviderType.ANTHROPIC) {
            Objects.requireNonNull(baseUrl, "baseUrl of provider " + name);
        }
        if (baseUrl != null) {
            String scheme = baseUrl.getScheme();
            if (!"https".equals(scheme) && !"http".equals(scheme)) {
                throw new IllegalArgumentException("baseUrl of provider " + name + " must be http(s)");
            }
        }
        timeout = timeout == null ? Duration.ofSeconds(25) : timeout;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout of provider " + name + " must be positive");
        }
        if (defaultMaxTokens != null && defaultMaxTokens < 1) {
            throw new IllegalArgumentException("defaultMaxTokens of provider " + name + " must be positive");
        }
        latency = latency == null ? Duration.ZERO : latency;
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency of provider " + name + " must not be negative");
        }
        headers = headers == null || headers.isEmpty() ? Map.of() : Map.copyOf(headers);
    }

    /** A mock provider with the given simulated latency. */
    public static ProviderConfig mock(String name, Duration latency) {
        return new ProviderConfig(name, ProviderType.MOCK, null, null, null, null, latency, Map.of());
    }

    /** An OpenAI-compatible provider. */
    public static ProviderConfig openai(String name, URI baseUrl, SecretRef apiKey, Duration timeout) {
        return new ProviderConfig(name, ProviderType.OPENAI, baseUrl, apiKey, timeout, null, Duration.ZERO, Map.of());
    }
}
