package io.switchboard.core.cache;

import io.switchboard.shared.GatewayException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A request's cache controls, from its headers: {@code Cache-Control: no-cache} (skip the lookup, refresh the entry),
 * {@code Cache-Control: no-store} (neither read nor write), {@code x-switchboard-cache-ttl} (seconds),
 * {@code x-switchboard-cache-namespace} and {@code x-switchboard-cache-tags} (comma-separated, e.g.
 * {@code project:x,prompt:v3}).
 *
 * @param noCache skip the lookup and replace the entry
 * @param noStore neither read nor write
 * @param ttl the requested lifetime, or null for the default
 * @param namespace the namespace ({@link CacheKey#DEFAULT_NAMESPACE} when none was named)
 * @param tags the entry's tags
 */
public record CacheDirectives(boolean noCache, boolean noStore, Duration ttl, String namespace, List<String> tags) {
    /** Header naming the TTL in seconds. */
    public static final String TTL_HEADER = "x-switchboard-cache-ttl";
    /** Header naming the namespace. */
    public static final String NAMESPACE_HEADER = "x-switchboard-cache-namespace";
    /** Header listing the tags. */
    public static final String TAGS_HEADER = "x-switchboard-cache-tags";
    private static final int MAX_TAGS = 16;

    /** No directives. */
    public static final CacheDirectives NONE = new CacheDirectives(false, false, null, CacheKey.DEFAULT_NAMESPACE,
            List.of());

    public CacheDirectives {
        tags = List.copyOf(tags);
    }

    /** Reads the headers; a malformed value is a 400 naming the header. */
    public static CacheDirectives parse(String cacheControl, String ttl, String namespace, String tags,
            Duration maxTtl) {
        if (cacheControl == null && ttl == null && namespace == null && tags == null) {
            return NONE;
        }
        boolean noCache = false;
        boolean noStore = false;
        if (cacheControl != null) {
            for (String d : cacheControl.toLowerCase(Locale.ROOT).split(",")) {
                switch (d.strip()) {
                    case "no-cache" -> noCache = true;
                    case "no-store" -> noStore = true;
                    default -> { } // other directives do not apply to a gateway cache
                }
            }
        }
        Duration t = null;
        if (ttl != null) {
            long seconds;
            try {
                seconds = Long.parseLong(ttl.strip());
            } catch (NumberFormatException e) {
                throw GatewayException.invalid(TTL_HEADER, "'" + TTL_HEADER + "' must be a whole number of seconds.");
            }
            if (seconds < 1 || seconds > maxTtl.toSeconds()) {
                throw GatewayException.invalid(TTL_HEADER, "'" + TTL_HEADER + "' must be between 1 and "
                        + maxTtl.toSeconds() + " seconds.");
            }
            t = Duration.ofSeconds(seconds);
        }
        String ns = CacheKey.DEFAULT_NAMESPACE;
        if (namespace != null) {
            ns = namespace.strip();
            if (!CacheKey.NAME.matcher(ns).matches()) {
                throw GatewayException.invalid(NAMESPACE_HEADER, "'" + NAMESPACE_HEADER
                        + "' must be 1 to 128 letters, digits or _ . : / -.");
            }
        }
        List<String> tagList = new ArrayList<>();
        if (tags != null) {
            for (String tag : tags.split(",")) {
                String s = tag.strip();
                if (s.isEmpty()) {
                    continue;
                }
                if (!CacheKey.NAME.matcher(s).matches()) {
                    throw GatewayException.invalid(TAGS_HEADER, "'" + TAGS_HEADER
                            + "' holds comma-separated tags of 1 to 128 letters, digits or _ . : / -.");
                }
                if (!tagList.contains(s)) {
                    tagList.add(s);
                }
            }
            if (tagList.size() > MAX_TAGS) {
                throw GatewayException.invalid(TAGS_HEADER, "'" + TAGS_HEADER + "' allows at most " + MAX_TAGS
                        + " tags.");
            }
        }
        return new CacheDirectives(noCache, noStore, t, ns, tagList);
    }
}
