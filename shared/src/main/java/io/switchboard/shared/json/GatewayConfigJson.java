package io.switchboard.shared.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.shared.config.ApiKeyEntry;
import io.switchboard.shared.config.GatewayConfig;
import io.switchboard.shared.config.Limits;
import io.switchboard.shared.config.ModelRoute;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.config.ProviderType;
import io.switchboard.shared.config.SecretRef;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a {@link GatewayConfig} from JSON:
 *
 * <pre>{@code
 * {"providers": {"openai": {"type": "openai", "baseUrl": "https://api.openai.com/v1",
 *                           "apiKey": "ssm:/switchboard/openai", "timeoutMs": 25000},
 *                "bedrock": {"type": "bedrock", "region": "us-east-1"},
 *                "mock": {"type": "mock", "latencyMs": 0}},
 *  "models": {"gpt-4o-mini": "openai/gpt-4o-mini", "fast": "mock/mock-1"},
 *  "apiKeys": ["team-a:<sha256 hex>"],
 *  "limits": {"maxRequestBytes": 4194304, "maxResponseBytes": 5934464, "upstreamTimeoutMs": 25000}}
 * }</pre>
 *
 * Unknown fields are errors, so a typo never silently falls back to a default.
 */
public final class GatewayConfigJson {
    private static final Set<String> TOP = Set.of("providers", "models", "apiKeys", "limits");
    private static final Set<String> PROVIDER = Set.of("type", "baseUrl", "apiKey", "timeoutMs", "defaultMaxTokens",
            "latencyMs", "headers", "region");
    private static final Set<String> LIMITS = Set.of("maxRequestBytes", "maxResponseBytes", "upstreamTimeoutMs");

    private GatewayConfigJson() {
    }

    /** Parses {@code json}; {@code fallbackLimits} apply to limits it leaves out. */
    public static GatewayConfig parse(String json, Limits fallbackLimits) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException("configuration is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("configuration could not be read");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("configuration must be a JSON object");
        }
        only(root, TOP, "configuration");
        Map<String, ProviderConfig> providers = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("providers").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            providers.put(e.getKey(), provider(e.getKey(), e.getValue()));
        }
        Map<String, ModelRoute> models = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("models").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException("models." + e.getKey() + " must be \"provider/model-id\"");
            }
            models.put(e.getKey(), ModelRoute.parse(e.getValue().textValue()));
        }
        List<ApiKeyEntry> keys = new ArrayList<>();
        for (JsonNode k : root.path("apiKeys")) {
            keys.add(ApiKeyEntry.parse(k.asText()));
        }
        return new GatewayConfig(providers, models, keys, limits(root.get("limits"), fallbackLimits));
    }

    private static ProviderConfig provider(String name, JsonNode p) {
        if (!p.isObject()) {
            throw new IllegalArgumentException("providers." + name + " must be an object");
        }
        only(p, PROVIDER, "providers." + name);
        ProviderType type = ProviderType.fromId(p.path("type").asText(""));
        URI baseUrl = p.hasNonNull("baseUrl") ? URI.create(stripSlash(p.get("baseUrl").asText())) : null;
        SecretRef key = p.hasNonNull("apiKey") ? SecretRef.parse(p.get("apiKey").asText()) : null;
        Duration timeout = p.hasNonNull("timeoutMs") ? Duration.ofMillis(p.get("timeoutMs").asLong()) : null;
        Integer maxTokens = p.hasNonNull("defaultMaxTokens") ? p.get("defaultMaxTokens").asInt() : null;
        Duration latency = p.hasNonNull("latencyMs") ? Duration.ofMillis(p.get("latencyMs").asLong()) : null;
        Map<String, String> headers = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = p.path("headers").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            headers.put(e.getKey(), e.getValue().asText());
        }
        String region = p.hasNonNull("region") ? p.get("region").asText() : null;
        return new ProviderConfig(name, type, baseUrl, key, timeout, maxTokens, latency, headers, region);
    }

    private static Limits limits(JsonNode l, Limits fallback) {
        if (l == null || l.isNull()) {
            return fallback;
        }
        only(l, LIMITS, "limits");
        return new Limits(l.path("maxRequestBytes").asInt(fallback.maxRequestBytes()),
                l.path("maxResponseBytes").asInt(fallback.maxResponseBytes()),
                l.hasNonNull("upstreamTimeoutMs") ? Duration.ofMillis(l.get("upstreamTimeoutMs").asLong())
                        : fallback.upstreamTimeout());
    }

    private static void only(JsonNode node, Set<String> allowed, String where) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw new IllegalArgumentException(where + " has unknown field '" + f + "' (allowed: "
                        + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
    }

    /** The URL without a trailing slash, so paths can be appended. */
    public static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
