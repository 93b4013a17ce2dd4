package io.switchboard.core.cache;

/** What the cache did for one request, as told in {@code x-switchboard-cache}. */
public enum CacheStatus {
    /** Served from this environment's L1. */
    HIT_L1("HIT-L1"),
    /** Served from the shared L2 (and promoted to L1). */
    HIT_L2("HIT-L2"),
    /** Not found; answered by the provider and stored. */
    MISS("MISS"),
    /** Not cacheable (policy or {@code Cache-Control: no-store}), or the cache is off. */
    BYPASS("BYPASS"),
    /** {@code Cache-Control: no-cache}: looked up nothing, answered by the provider, entry replaced. */
    REFRESH("REFRESH");

    private final String header;

    CacheStatus(String header) {
        this.header = header;
    }

    /** The header value. */
    public String header() {
        return header;
    }
}
