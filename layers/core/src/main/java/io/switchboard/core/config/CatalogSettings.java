package io.switchboard.core.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * How the model catalog is stored, refreshed, discovered and announced; read by {@link Settings#catalog()} from
 * the {@code SWITCHBOARD_CATALOG_*}, {@code SWITCHBOARD_DISCOVERY_*}, {@code SWITCHBOARD_EVENT_BUS} and
 * {@code AWS_ENDPOINT_URL_*} variables ({@link EnvNames}).
 *
 * @param table the DynamoDB table, or null when the bundled configuration is the whole catalog
 * @param refreshInterval least time between two generation checks on the request path
 * @param eventBus the EventBridge bus for {@code ModelCatalogChanged}, or null to publish nothing
 * @param discoveryTimeout upper bound of listing one provider
 * @param discoveryParallelism providers listed at once
 * @param lastSeenResolution how stale an unchanged entry's {@code lastSeen} may get before it is rewritten
 * @param region the AWS region
 * @param dynamoDbEndpoint DynamoDB endpoint override, or null
 * @param eventBridgeEndpoint EventBridge endpoint override, or null
 * @param bedrockEndpoint Bedrock endpoint override, or null
 */
public record CatalogSettings(String table, Duration refreshInterval, String eventBus, Duration discoveryTimeout,
        int discoveryParallelism, Duration lastSeenResolution, String region, URI dynamoDbEndpoint,
        URI eventBridgeEndpoint, URI bedrockEndpoint) {

    public CatalogSettings {
        table = blankToNull(table);
        eventBus = blankToNull(eventBus);
        if (refreshInterval == null || refreshInterval.isNegative()) {
            throw new IllegalArgumentException(EnvNames.CATALOG_REFRESH_SECONDS + " must not be negative");
        }
        if (discoveryTimeout == null || discoveryTimeout.isZero() || discoveryTimeout.isNegative()) {
            throw new IllegalArgumentException(EnvNames.DISCOVERY_TIMEOUT_MS + " must be positive");
        }
        if (discoveryParallelism < 1 || discoveryParallelism > 64) {
            throw new IllegalArgumentException(EnvNames.DISCOVERY_PARALLELISM + " must be 1..64");
        }
        if (lastSeenResolution == null || lastSeenResolution.isNegative()) {
            throw new IllegalArgumentException(EnvNames.LAST_SEEN_RESOLUTION_SECONDS + " must not be negative");
        }
        if (region == null || region.isBlank()) {
            throw new IllegalArgumentException("a region is needed");
        }
    }

    /** Reads the catalog settings from {@code env}. */
    public static CatalogSettings from(Map<String, String> env, String region) {
        return new CatalogSettings(env.get(EnvNames.CATALOG_TABLE),
                Duration.ofSeconds(number(env, EnvNames.CATALOG_REFRESH_SECONDS, 5)),
                env.get(EnvNames.EVENT_BUS),
                Duration.ofMillis(number(env, EnvNames.DISCOVERY_TIMEOUT_MS, 10_000)),
                (int) number(env, EnvNames.DISCOVERY_PARALLELISM, 4),
                Duration.ofSeconds(number(env, EnvNames.LAST_SEEN_RESOLUTION_SECONDS, 86_400)),
                region, uri(env, EnvNames.DYNAMODB_ENDPOINT), uri(env, EnvNames.EVENTBRIDGE_ENDPOINT),
                uri(env, EnvNames.BEDROCK_ENDPOINT));
    }

    /** Whether a DynamoDB table holds the catalog. */
    public boolean hasTable() {
        return table != null;
    }

    private static long number(Map<String, String> env, String name, long fallback) {
        String v = blankToNull(env.get(name));
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number", e);
        }
    }

    private static URI uri(Map<String, String> env, String name) {
        String v = blankToNull(env.get(name));
        return v == null ? null : URI.create(v.strip());
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
