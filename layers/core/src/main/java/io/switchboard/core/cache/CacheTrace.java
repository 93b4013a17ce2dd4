package io.switchboard.core.cache;

/** What the cache did during one request, for its response headers and metrics. Belongs to one request. */
public final class CacheTrace {
    CacheStatus status = CacheStatus.BYPASS;
    long l2Nanos;
    int l2Calls;
    int l2Errors;
    long bytesStored;
    long bytesStoredEncoded;

    /** The outcome. */
    public CacheStatus status() {
        return status;
    }

    /** Time spent in L2 commands. */
    public long l2Nanos() {
        return l2Nanos;
    }

    /** L2 commands issued. */
    public int l2Calls() {
        return l2Calls;
    }

    /** L2 commands that failed (or were skipped by an open guard: not counted). */
    public int l2Errors() {
        return l2Errors;
    }

    /** Completion bytes stored, before encoding. */
    public long bytesStored() {
        return bytesStored;
    }

    /** Bytes written to L2 after encoding (compression). */
    public long bytesStoredEncoded() {
        return bytesStoredEncoded;
    }

    /** Marks the outcome. */
    public void status(CacheStatus s) {
        status = s;
    }
}
