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
 * @param region the AWS region of a {@code bedrock} provider, or null for the function's own (other types: null)
 */
public record ProviderConfig(String name, ProviderType type, URI baseUrl, SecretRef apiKey, Duration timeout,
        Integer defaultMaxTokens, Duration latency, Map<String, String> headers, String region) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    /** An AWS region name: {@code us-east-1}, {@code us-gov-west-1}, {@code eu-central-2}. */
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]{2,12}){1,2}-[0-9]{1,2}");

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
        if (region != null) {
            if (type != ProviderType.BEDROCK) {
                throw new IllegalArgumentException("region of provider " + name + " is only for type bedrock");
            }
            if (!REGION.matcher(region).matches()) {
                throw new IllegalArgumentException("region of provider " + name + " must be an AWS region name "
                        + "such as us-east-1");
            }
        }
    }

    /** A provider without a region of its own (every type but {@code bedrock} has none). */
    public ProviderConfig(String name, ProviderType type, URI baseUrl, SecretRef apiKey, Duration timeout,
            Integer defaultMaxTokens, Duration latency, Map<String, String> headers) {
        this(name, type, baseUrl, apiKey, timeout, defaultMaxTokens, latency, headers, null);
    }

    /** A mock provider with the given simulated latency. */
    public static ProviderConfig mock(String name, Duration latency) {
        return new ProviderConfig(name, ProviderType.MOCK, null, null, null, null, latency, Map.of());
    }

    /** A Bedrock provider in {@code region} (null: the function's), at its regional endpoint or {@code endpoint}. */
    public static ProviderConfig bedrock(String name, String region, URI endpoint, Duration timeout) {
        return new ProviderConfig(name, ProviderType.BEDROCK, endpoint, null, timeout, null, Duration.ZERO, Map.of(),
                region);
    }

    /** An OpenAI-compatible provider. */
    public static ProviderConfig openai(String name, URI baseUrl, SecretRef apiKey, Duration timeout) {
        return new ProviderConfig(name, ProviderType.OPENAI, baseUrl, apiKey, timeout, null, Duration.ZERO, Map.of());
    }
}
