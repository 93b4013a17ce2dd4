package io.switchboard.core.cache;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One thing an invalidation removes: everything, a tenant, a namespace or a tag within a tenant, a model across
 * tenants, or one entry. Knows its index set in L2 (the format {@link ResponseCache} writes), whether an L1 entry
 * falls under it, and its encoding in the invalidation log ({@code kind|tenant|value}; names never contain
 * {@code |}).
 *
 * @param kind what is invalidated
 * @param tenant the tenant (empty for {@code ALL} and {@code MODEL})
 * @param value the namespace, tag, {@code provider/model} or entry key (empty for {@code ALL} and {@code TENANT})
 */
public record InvalidationScope(Kind kind, String tenant, String value) {
    /** What a scope covers. */
    public enum Kind {
        /** Every entry. */
        ALL,
        /** Every entry of a tenant. */
        TENANT,
        /** Every entry of a tenant's namespace. */
        NAMESPACE,
        /** Every entry of a {@code provider/model}, all tenants. */
        MODEL,
        /** Every entry of a tenant stored with a tag. */
        TAG,
        /** One entry ({@code value} is its storage key). */
        KEY
    }

    /** Everything. */
    public static final InvalidationScope ALL = new InvalidationScope(Kind.ALL, "", "");

    public InvalidationScope {
        Objects.requireNonNull(kind, "kind");
        tenant = tenant == null ? "" : tenant;
        value = value == null ? "" : value;
        if (tenant.indexOf('|') >= 0 || value.indexOf('|') >= 0) {
            throw new IllegalArgumentException("scope names cannot contain '|'");
        }
    }

    /** A whole tenant. */
    public static InvalidationScope tenant(String tenant) {
        return new InvalidationScope(Kind.TENANT, tenant, "");
    }

    /** A tenant's namespace. */
    public static InvalidationScope namespace(String tenant, String namespace) {
        return new InvalidationScope(Kind.NAMESPACE, tenant, namespace);
    }

    /** A model of a provider ({@code provider/model}), every tenant. */
    public static InvalidationScope model(String providerAndModel) {
        return new InvalidationScope(Kind.MODEL, "", providerAndModel);
    }

    /** A tenant's tag. */
    public static InvalidationScope tag(String tenant, String tag) {
        return new InvalidationScope(Kind.TAG, tenant, tag);
    }

    /** One entry of a tenant, by namespace and digest (the {@code x-switchboard-cache-key} value). */
    public static InvalidationScope key(String tenant, String namespaceAndDigest) {
        return new InvalidationScope(Kind.KEY, tenant, CacheKey.PREFIX + "e:" + tenant + ":" + namespaceAndDigest);
    }

    /** The L2 index set listing this scope's entries, or null ({@code ALL}, {@code KEY}). */
    public String indexKey() {
        return switch (kind) {
            case TENANT -> CacheKey.PREFIX + "idx:tenant:" + tenant;
            case NAMESPACE -> CacheKey.PREFIX + "idx:ns:" + tenant + ":" + value;
            case MODEL -> CacheKey.PREFIX + "idx:model:" + value;
            case TAG -> CacheKey.PREFIX + "idx:tag:" + tenant + ":" + value;
            case ALL, KEY -> null;
        };
    }

    /**
     * Whether the L1 entry {@code storageKey}, described by {@code entry} (null: nothing known), falls under this
     * scope. An entry whose tags are unknown (promoted from L2) falls under every tag of its tenant: L1 may evict more
     * than asked, never less.
     */
    boolean covers(String storageKey, EntryScope entry) {
        if (kind == Kind.ALL || entry == null) {
            return true;
        }
        return switch (kind) {
            case TENANT -> entry.tenant().equals(tenant);
            case NAMESPACE -> entry.tenant().equals(tenant) && entry.namespace().equals(value);
            case MODEL -> entry.model().equals(value);
            case TAG -> entry.tenant().equals(tenant) && (entry.tags() == null || entry.tags().contains(value));
            case KEY -> storageKey.equals(value);
            case ALL -> true;
        };
    }

    /** The log encoding. */
    public String encode() {
        return kind.name().toLowerCase(Locale.ROOT) + "|" + tenant + "|" + value;
    }

    /** Reads {@link #encode()}'s form. */
    public static InvalidationScope decode(String s) {
        int a = s.indexOf('|');
        int b = a < 0 ? -1 : s.indexOf('|', a + 1);
        if (b < 0) {
            throw new IllegalArgumentException("not an invalidation scope");
        }
        return new InvalidationScope(Kind.valueOf(s.substring(0, a).toUpperCase(Locale.ROOT)), s.substring(a + 1, b),
                s.substring(b + 1));
    }

    /**
     * What an L1 entry is known to belong to.
     *
     * @param tenant its tenant
     * @param namespace its namespace
     * @param model its {@code provider/model}
     * @param tags its tags, or null when unknown (promoted from L2, which does not keep them per entry)
     */
    record EntryScope(String tenant, String namespace, String model, List<String> tags) {
        static EntryScope of(CacheKey key, List<String> tags) {
            return new EntryScope(key.tenant(), key.namespace(), key.provider() + "/" + key.model(), tags);
        }
    }
}
