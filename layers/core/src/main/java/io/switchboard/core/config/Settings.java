package io.switchboard.core.config;

import io.switchboard.core.cache.CacheSettings;
import io.switchboard.shared.config.ApiKeyEntry;
import io.switchboard.shared.config.GatewayConfig;
import io.switchboard.shared.config.Limits;
import io.switchboard.shared.config.ModelRoute;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.config.SecretRef;
import io.switchboard.shared.json.GatewayConfigJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything an execution environment is configured with, read once from its environment variables.
 *
 * <p>Precedence, highest first: {@code SWITCHBOARD_CONFIG} (inline JSON), {@code SWITCHBOARD_CONFIG_PARAMETER} (an SSM
 * parameter holding it, read once here), {@code SWITCHBOARD_CONFIG_FILE}, the
 * embedded defaults (the {@code mock} provider, plus {@code openai} when {@code OPENAI_API_KEY} or
 * {@code SWITCHBOARD_OPENAI_API_KEY_PARAMETER} is set). {@code SWITCHBOARD_API_KEYS} adds keys to any of them;
 * {@code SWITCHBOARD_MAX_REQUEST_BYTES} and {@code SWITCHBOARD_UPSTREAM_TIMEOUT_MS} override their limits.
 *
 * @param config providers, models, keys and limits
 * @param metrics where metrics go
 * @param metricsNamespace CloudWatch namespace
 * @param service the service dimension
 * @param functionName the Lambda function's name, or {@code local}
 * @param region the AWS region
 * @param ssmEndpoint SSM endpoint override, or null
 * @param secretTtl how long fetched secrets are reused
 * @param cache the response cache's settings
 * @param env the variables themselves, for {@code env:} secrets
 */
public record Settings(GatewayConfig config, MetricsMode metrics, String metricsNamespace, String service,
        String functionName, String region, URI ssmEndpoint, Duration secretTtl, CacheSettings cache,
        Map<String, String> env) {

    /** Base URL of OpenAI's API. */
    public static final String OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";
    /** The models the embedded {@code openai} provider is named for. */
    public static final List<String> OPENAI_DEFAULT_MODELS = List.of("gpt-4o-mini", "gpt-4o", "gpt-4.1",
            "gpt-4.1-mini", "gpt-4.1-nano", "o4-mini");
    /** The embedding models the embedded {@code openai} provider is named for ({@code POST /v1/embeddings}). */
    public static final List<String> OPENAI_DEFAULT_EMBEDDING_MODELS = List.of("text-embedding-3-small",
            "text-embedding-3-large");

    public Settings {
        env = Map.copyOf(env);
    }

    /** Reads the settings from {@code env} (normally {@link System#getenv()}). */
    public static Settings from(Map<String, String> env) {
        Limits limits = limits(env);
        GatewayConfig config;
        String inline = blankToNull(env.get(EnvNames.CONFIG));
        String file = blankToNull(env.get(EnvNames.CONFIG_FILE));
        String parameter = blankToNull(env.get(EnvNames.CONFIG_PARAMETER));
        if (inline != null) {
            config = GatewayConfigJson.parse(inline, limits);
        } else if (parameter != null) {
            config = GatewayConfigJson.parse(ConfigParameter.read(env, parameter.strip()), limits);
        } else if (file != null) {
            try {
                config = GatewayConfigJson.parse(Files.readString(Path.of(file)), limits);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + EnvNames.CONFIG_FILE, e);
            }
        } else {
            config = defaults(env, limits);
        }
        config = withKeysAndLimits(config, env, limits);
        MetricsMode metrics = "off".equalsIgnoreCase(env.get(EnvNames.METRICS)) ? MetricsMode.OFF : MetricsMode.EMF;
        String function = env.getOrDefault(EnvNames.FUNCTION_NAME, "local");
        String ssm = blankToNull(env.get(EnvNames.SSM_ENDPOINT));
        return new Settings(config, metrics, env.getOrDefault(EnvNames.METRICS_NAMESPACE, "Switchboard"),
                env.getOrDefault(EnvNames.SERVICE_NAME, "switchboard"), function,
                env.getOrDefault(EnvNames.REGION, "us-east-1"), ssm == null ? null : URI.create(ssm),
                Duration.ofSeconds(longOf(env, EnvNames.SECRET_TTL_SECONDS, 300)), cache(env), env);
    }

    private static CacheSettings cache(Map<String, String> env) {
        CacheSettings d = CacheSettings.DEFAULTS;
        String policy = env.getOrDefault(EnvNames.CACHE_POLICY, "deterministic").strip();
        if (!policy.equals("deterministic") && !policy.equals("all")) {
            throw new IllegalArgumentException(EnvNames.CACHE_POLICY + " must be 'deterministic' or 'all'");
        }
        String url = blankToNull(env.get(EnvNames.CACHE_URL));
        String cacheName = blankToNull(env.get(EnvNames.CACHE_NAME));
        return new CacheSettings(!"off".equalsIgnoreCase(env.getOrDefault(EnvNames.CACHE, "on").strip()),
                policy.equals("deterministic"),
                longOf(env, EnvNames.CACHE_L1_MAX_BYTES, d.l1MaxBytes()),
                Duration.ofSeconds(longOf(env, EnvNames.CACHE_L1_TTL_SECONDS, d.l1Ttl().toSeconds())),
                Duration.ofSeconds(longOf(env, EnvNames.CACHE_TTL_SECONDS, d.ttl().toSeconds())),
                Duration.ofSeconds(longOf(env, EnvNames.CACHE_MAX_TTL_SECONDS, d.maxTtl().toSeconds())),
                url == null ? null : URI.create(url), blankToNull(env.get(EnvNames.CACHE_IAM_USER)), cacheName,
                true, Duration.ofMillis(longOf(env, EnvNames.CACHE_L2_TIMEOUT_MS, d.l2Timeout().toMillis())),
                d.failuresToOpen(), d.openFor(),
                (int) longOf(env, EnvNames.CACHE_COMPRESS_MIN_BYTES, d.compressMinBytes()), d.lockTtl(),
                Duration.ofMillis(longOf(env, EnvNames.CACHE_LOCK_WAIT_MS, d.lockWait().toMillis())));
    }

    private static Limits limits(Map<String, String> env) {
        Limits d = Limits.DEFAULTS;
        return new Limits((int) longOf(env, EnvNames.MAX_REQUEST_BYTES, d.maxRequestBytes()), d.maxResponseBytes(),
                Duration.ofMillis(longOf(env, EnvNames.UPSTREAM_TIMEOUT_MS, d.upstreamTimeout().toMillis())));
    }

    private static GatewayConfig defaults(Map<String, String> env, Limits limits) {
        Map<String, ProviderConfig> providers = new LinkedHashMap<>();
        Map<String, ModelRoute> models = new LinkedHashMap<>();
        providers.put("mock", ProviderConfig.mock("mock",
                Duration.ofMillis(longOf(env, EnvNames.MOCK_LATENCY_MS, 0))));
        models.put("mock-1", new ModelRoute("mock", "mock-1"));
        models.put("fast", new ModelRoute("mock", "mock-1"));
        SecretRef openaiKey = null;
        if (blankToNull(env.get(EnvNames.OPENAI_KEY_PARAMETER)) != null) {
            openaiKey = new SecretRef(SecretRef.Source.SSM, env.get(EnvNames.OPENAI_KEY_PARAMETER));
        } else if (blankToNull(env.get(EnvNames.OPENAI_API_KEY)) != null) {
            openaiKey = new SecretRef(SecretRef.Source.ENV, EnvNames.OPENAI_API_KEY);
        }
        if (openaiKey != null) {
            String base = env.getOrDefault(EnvNames.OPENAI_BASE_URL, OPENAI_DEFAULT_BASE_URL);
            providers.put("openai", ProviderConfig.openai("openai", URI.create(GatewayConfigJson.stripSlash(base)),
                    openaiKey, limits.upstreamTimeout()));
            for (String m : OPENAI_DEFAULT_MODELS) {
                models.put(m, new ModelRoute("openai", m));
            }
            for (String m : OPENAI_DEFAULT_EMBEDDING_MODELS) {
                models.put(m, new ModelRoute("openai", m));
            }
        }
        return new GatewayConfig(providers, models, List.of(), limits);
    }

    private static GatewayConfig withKeysAndLimits(GatewayConfig config, Map<String, String> env, Limits limits) {
        List<ApiKeyEntry> keys = new ArrayList<>(config.apiKeys());
        String spec = blankToNull(env.get(EnvNames.API_KEYS));
        if (spec != null) {
            for (String s : spec.split(",")) {
                if (!s.isBlank()) {
                    keys.add(ApiKeyEntry.parse(s));
                }
            }
        }
        Limits l = config.limits();
        // blank counts as unset, as in longOf: otherwise an empty variable would replace a configured limit with
        // the default
        boolean maxBytesSet = blankToNull(env.get(EnvNames.MAX_REQUEST_BYTES)) != null;
        boolean timeoutSet = blankToNull(env.get(EnvNames.UPSTREAM_TIMEOUT_MS)) != null;
        if (maxBytesSet || timeoutSet) {
            l = new Limits(maxBytesSet ? limits.maxRequestBytes() : l.maxRequestBytes(), l.maxResponseBytes(),
                    timeoutSet ? limits.upstreamTimeout() : l.upstreamTimeout());
        }
        return config.withKeysAndLimits(keys, l);
    }

    static long longOf(Map<String, String> env, String name, long fallback) {
        String v = blankToNull(env.get(name));
        if (v == null) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(v.strip());
            if (parsed < 0) {
                throw new IllegalArgumentException(name + " must not be negative");
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number", e);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /**
     * How long the per-request metrics of other dimensions than {@code Service} (provider, model, deployment,
     * tenant) may be gathered before they are written: {@code SWITCHBOARD_METRICS_FLUSH_MS}, 0..60000, default 1000
     * (0: at every request's end).
     */
    public Duration metricsFlushInterval() {
        long ms = longOf(env, EnvNames.METRICS_FLUSH_MS, 1000);
        if (ms > 60_000) {
            throw new IllegalArgumentException(EnvNames.METRICS_FLUSH_MS + " must be 0..60000");
        }
        return Duration.ofMillis(ms);
    }

    /** The model catalog's settings, read from the same variables. */
    public CatalogSettings catalog() {
        return CatalogSettings.from(env, region);
    }

    /**
     * Bedrock Runtime's endpoint override ({@code AWS_ENDPOINT_URL_BEDROCK_RUNTIME}), or null for the region's own
     * endpoint. A provider's {@code baseUrl} wins over it.
     */
    public URI bedrockRuntimeEndpoint() {
        String v = blankToNull(env.get(EnvNames.BEDROCK_RUNTIME_ENDPOINT));
        return v == null ? null : URI.create(v.strip());
    }

    /** How streams are watched and kept alive, read from the same variables. */
    public StreamSettings stream() {
        return StreamSettings.from(env);
    }

    /** Cache invalidation's settings, read from the same variables. */
    public InvalidationSettings invalidation() {
        return InvalidationSettings.from(env);
    }

    /** Whether this process runs inside AWS Lambda (by the runtime's own variables). */
    public static boolean insideLambda(Map<String, String> processEnv) {
        return processEnv.containsKey("AWS_LAMBDA_RUNTIME_API")
                || processEnv.getOrDefault("AWS_EXECUTION_ENV", "").toLowerCase(Locale.ROOT).startsWith("aws_lambda");
    }
}
