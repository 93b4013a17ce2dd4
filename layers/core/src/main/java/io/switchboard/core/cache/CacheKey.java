package io.switchboard.core.cache;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An entry's identity: the tenant that owns it, a namespace, and the SHA-256 of the request's canonical form. The
 * tenant is part of every stored key, so two tenants can never share an entry, whatever their requests.
 *
 * @param tenant the authenticated tenant
 * @param namespace the namespace ({@code default} unless the request named one)
 * @param digest lower-case hex SHA-256 of the canonical request
 * @param provider the provider the request resolved to
 * @param model the provider's model id
 */
public record CacheKey(String tenant, String namespace, String digest, String provider, String model) {
    /** The namespace of requests that name none. */
    public static final String DEFAULT_NAMESPACE = "default";
    /** Prefix and version of the L2 format; the invalidation function relies on it. */
    public static final String PREFIX = "sb:v1:";
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:/-]{1,128}");

    public CacheKey {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
    }

    /** The entry's key in L2 (and L1): {@code sb:v1:e:{tenant}:{namespace}:{digest}}. */
    public String storageKey() {
        return PREFIX + "e:" + tenant + ":" + namespace + ":" + digest;
    }

    /** The stampede lock's key in L2. */
    public String lockKey() {
        return PREFIX + "lock:" + tenant + ":" + namespace + ":" + digest;
    }

    /** The value of {@code x-switchboard-cache-key}: the namespace and digest (the tenant is the caller's own). */
    public String header() {
        return namespace + ":" + digest;
    }
}
