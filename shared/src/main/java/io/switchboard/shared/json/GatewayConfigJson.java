package io.switchboard.shared.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.shared.config.ApiKeyEntry;
import io.switchboard.shared.config.BreakerPolicy;
import io.switchboard.shared.config.Deployment;
import io.switchboard.shared.config.ModelGroup;
import io.switchboard.shared.config.ResilienceConfig;
import io.switchboard.shared.config.RetryPolicy;
import io.switchboard.shared.config.Routing;
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
 * A model may also be a group of deployments with its routing, retry policy and fallbacks (a deployment is a
 * {@code "provider/model-id"} string or {@code {"route", "weight", "id"}}); {@code resilience} holds the default retry
 * policy and the circuit-breaker policy:
 *
 * <pre>{@code
 * "models": {"gpt-4o": {"deployments": [{"route": "openai/gpt-4o", "weight": 3}, "azure/gpt-4o"],
 *                       "routing": "weighted", "retry": {"maxAttempts": 3, "baseDelayMs": 100},
 *                       "fallbacks": ["claude"], "contextWindowFallbacks": ["gpt-4.1"],
 *                       "contentPolicyFallbacks": ["claude"]}},
 * "resilience": {"retry": {"maxAttempts": 2}, "breaker": {"consecutiveFailures": 5, "cooldownMs": 30000}}
 * }</pre>
 *
 * Unknown fields are errors, so a typo never silently falls back to a default.
 */
public final class GatewayConfigJson {
    private static final Set<String> TOP = Set.of("providers", "models", "apiKeys", "limits", "resilience");
    private static final Set<String> GROUP = Set.of("deployments", "routing", "retry", "fallbacks",
            "contextWindowFallbacks", "contentPolicyFallbacks");
    private static final Set<String> DEPLOYMENT = Set.of("route", "weight", "id");
    private static final Set<String> RETRY = Set.of("maxAttempts", "baseDelayMs", "maxDelayMs", "maxRetryAfterMs",
            "attemptTimeoutMs");
    private static final Set<String> BREAKER = Set.of("consecutiveFailures", "failureRate", "window", "minCalls",
            "cooldownMs", "shareEveryMs");
    private static final Set<String> RESILIENCE = Set.of("retry", "breaker");
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
        JsonNode res = root.path("resilience");
        if (!res.isMissingNode() && !res.isNull()) {
            only(res, RESILIENCE, "resilience");
        }
        RetryPolicy retry = retry(res.get("retry"), RetryPolicy.DEFAULTS, "resilience.retry");
        BreakerPolicy breaker = breaker(res.get("breaker"));
        Map<String, ModelRoute> models = new LinkedHashMap<>();
        Map<String, ModelGroup> groups = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("models").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isObject()) {
                ModelGroup g = group(e.getKey(), e.getValue(), retry);
                groups.put(e.getKey(), g);
                models.put(e.getKey(), g.primary());
                continue;
            }
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException("models." + e.getKey() + " must be \"provider/model-id\" or a "
                        + "model group object");
            }
            models.put(e.getKey(), ModelRoute.parse(e.getValue().textValue()));
        }
        List<ApiKeyEntry> keys = new ArrayList<>();
        for (JsonNode k : root.path("apiKeys")) {
            keys.add(ApiKeyEntry.parse(k.asText()));
        }
        return new GatewayConfig(providers, models, keys, limits(root.get("limits"), fallbackLimits),
                new ResilienceConfig(groups, retry, breaker));
    }

    private static ModelGroup group(String name, JsonNode g, RetryPolicy defaults) {
        String where = "models." + name;
        only(g, GROUP, where);
        List<Deployment> deployments = new ArrayList<>();
        for (JsonNode d : g.path("deployments")) {
            if (d.isTextual()) {
                deployments.add(Deployment.of(ModelRoute.parse(d.textValue())));
            } else if (d.isObject()) {
                only(d, DEPLOYMENT, where + ".deployments[]");
                deployments.add(new Deployment(d.hasNonNull("id") ? d.get("id").asText() : null,
                        ModelRoute.parse(d.path("route").asText("")), d.path("weight").asInt(1)));
            } else {
                throw new IllegalArgumentException(where + ".deployments[] must be \"provider/model-id\" or an object");
            }
        }
        if (deployments.isEmpty()) {
            throw new IllegalArgumentException(where + ".deployments must list at least one deployment");
        }
        Routing routing = g.hasNonNull("routing") ? Routing.fromId(g.get("routing").asText()) : Routing.WEIGHTED;
        return new ModelGroup(deployments, routing, retry(g.get("retry"), defaults, where + ".retry"),
                names(g.get("fallbacks"), where + ".fallbacks"),
                names(g.get("contextWindowFallbacks"), where + ".contextWindowFallbacks"),
                names(g.get("contentPolicyFallbacks"), where + ".contentPolicyFallbacks"));
    }

    private static List<String> names(JsonNode n, String where) {
        List<String> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isArray()) {
            throw new IllegalArgumentException(where + " must be a list of model names");
        }
        for (JsonNode m : n) {
            if (!m.isTextual() || m.textValue().isBlank()) {
                throw new IllegalArgumentException(where + " must be a list of model names");
            }
            out.add(m.textValue());
        }
        return out;
    }

    private static RetryPolicy retry(JsonNode r, RetryPolicy d, String where) {
        if (r == null || r.isNull()) {
            return d;
        }
        only(r, RETRY, where);
        return new RetryPolicy(r.path("maxAttempts").asInt(d.maxAttempts()), millis(r, "baseDelayMs", d.baseDelay()),
                millis(r, "maxDelayMs", d.maxDelay()), millis(r, "maxRetryAfterMs", d.maxRetryAfter()),
                millis(r, "attemptTimeoutMs", d.attemptTimeout()));
    }

    private static BreakerPolicy breaker(JsonNode b) {
        BreakerPolicy d = BreakerPolicy.DEFAULTS;
        if (b == null || b.isNull()) {
            return d;
        }
        only(b, BREAKER, "resilience.breaker");
        return new BreakerPolicy(b.path("consecutiveFailures").asInt(d.consecutiveFailures()),
                b.path("failureRate").asDouble(d.failureRate()), b.path("window").asInt(d.window()),
                b.path("minCalls").asInt(Math.min(d.minCalls(), b.path("window").asInt(d.window()))),
                millis(b, "cooldownMs", d.cooldown()), millis(b, "shareEveryMs", d.shareEvery()));
    }

    private static Duration millis(JsonNode n, String field, Duration fallback) {
        return n.hasNonNull(field) ? Duration.ofMillis(n.get(field).asLong()) : fallback;
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
