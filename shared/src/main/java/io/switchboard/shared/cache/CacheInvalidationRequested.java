package io.switchboard.shared.cache;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The {@code detail} of the event asking for cached completions to be removed everywhere ({@code detail-type}
 * {@value #DETAIL_TYPE}; {@code source} {@value #SOURCE} from the admin route, any source for hand-written events).
 * Selectors are a union: every entry any of them names is removed.
 *
 * <ul>
 *   <li>{@code all}: every entry of every tenant (alone; no other selector with it).
 *   <li>{@code model}: every entry of that model, every tenant ({@code provider/model-id}, or a catalog name that
 *       the invalidation function resolves).
 *   <li>{@code tenant} with none of {@code keys}, {@code tags}, {@code namespace}: every entry of the tenant.
 *   <li>{@code keys} ({@code x-switchboard-cache-key} values, {@code namespace:digest}), {@code tags},
 *       {@code namespace}: within {@code tenant}, which they require.
 * </ul>
 *
 * @param tenant the tenant the keys, tags and namespace belong to, or null
 * @param keys cache keys as {@code x-switchboard-cache-key} reports them
 * @param tags tags as sent in {@code x-switchboard-cache-tags}
 * @param namespace a namespace, or null
 * @param model a model name, or null
 * @param all whether everything is invalidated
 * @param reason why (for logs and audit), required
 * @param requestedBy who asked (the admin route writes the admin key's tenant), or null
 * @param requestedAt when it was asked, or null
 */
public record CacheInvalidationRequested(String tenant, List<String> keys, List<String> tags, String namespace,
        String model, boolean all, String reason, String requestedBy, Instant requestedAt) {
    /** The event's {@code detail-type}. */
    public static final String DETAIL_TYPE = "CacheInvalidationRequested";
    /** The {@code source} of events published by the admin route. */
    public static final String SOURCE = "io.switchboard.admin";
    /** Most keys or tags in one event. */
    public static final int MAX_ITEMS = 1000;
    /** Longest reason. */
    public static final int MAX_REASON = 500;
    /** Tenants, tags, namespaces and model names: what the cache accepts in its keys. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:/-]{1,128}");
    /** A cache key: {@code namespace:sha256hex}. */
    public static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.:/-]{1,128}:[0-9a-f]{64}");

    /** Validates every field; a violation is an {@link IllegalArgumentException} whose message starts with the field. */
    public CacheInvalidationRequested {
        keys = List.copyOf(keys == null ? List.of() : keys);
        tags = List.copyOf(tags == null ? List.of() : tags);
        check(reason != null && !reason.isBlank(), "reason", "is required");
        check(reason.length() <= MAX_REASON, "reason", "is longer than " + MAX_REASON + " characters");
        check(tenant == null || NAME.matcher(tenant).matches(), "tenant", "is not a valid tenant name");
        check(namespace == null || NAME.matcher(namespace).matches(), "namespace", "is not a valid namespace");
        check(model == null || NAME.matcher(model).matches(), "model", "is not a valid model name");
        check(keys.size() <= MAX_ITEMS, "keys", "has more than " + MAX_ITEMS + " items");
        check(tags.size() <= MAX_ITEMS, "tags", "has more than " + MAX_ITEMS + " items");
        for (int i = 0; i < keys.size(); i++) {
            check(keys.get(i) != null && KEY.matcher(keys.get(i)).matches(), "keys[" + i + "]",
                    "is not a cache key (namespace:sha256hex, as x-switchboard-cache-key reports it)");
        }
        for (int i = 0; i < tags.size(); i++) {
            check(tags.get(i) != null && NAME.matcher(tags.get(i)).matches(), "tags[" + i + "]",
                    "is not a valid tag");
        }
        boolean tenantScoped = !keys.isEmpty() || !tags.isEmpty() || namespace != null;
        check(!tenantScoped || tenant != null, "tenant", "is required with keys, tags or namespace");
        if (all) {
            check(tenant == null && model == null && !tenantScoped, "all", "cannot be combined with other selectors");
        } else {
            check(tenant != null || model != null, "all",
                    "is false and no selector is given (name keys, tags, a namespace, a model, a tenant or all)");
        }
    }

    private static void check(boolean ok, String field, String problem) {
        if (!ok) {
            throw new IllegalArgumentException(field + " " + problem);
        }
    }

    /** Whether the whole tenant is meant (a tenant and nothing within it). */
    public boolean wholeTenant() {
        return tenant != null && keys.isEmpty() && tags.isEmpty() && namespace == null;
    }

    /** The field an {@link IllegalArgumentException} of the constructor names. */
    public static String fieldOf(IllegalArgumentException e) {
        String m = Objects.requireNonNullElse(e.getMessage(), "");
        int space = m.indexOf(' ');
        return space < 0 ? m : m.substring(0, space);
    }
}
