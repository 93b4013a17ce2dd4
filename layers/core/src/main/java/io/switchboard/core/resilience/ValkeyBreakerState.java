package io.switchboard.core.resilience;

import io.switchboard.core.cache.CacheKey;
import io.switchboard.core.cache.ValkeyL2Store;
import io.valkey.Pipeline;
import io.valkey.Response;
import io.valkey.params.SetParams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Breaker trips in L2 on the cache's own connection: one key per deployment, {@code sb:v1:cb:{cb}:<id>}, set with
 * the cooldown as its expiry. Reading is one pipelined {@code PTTL} per deployment in one round trip; the remaining
 * time is the server's, so environments need not agree on the wall clock. All keys share the hash tag {@code {cb}}
 * (one slot on a clustered Valkey).
 */
public final class ValkeyBreakerState implements SharedBreakerState {
    static final String PREFIX = CacheKey.PREFIX + "cb:{cb}:";

    private final ValkeyL2Store store;

    /** Breaker state on {@code store}'s connection. */
    public ValkeyBreakerState(ValkeyL2Store store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    @Override
    public long[] openMillis(List<String> ids) {
        return store.execute(j -> {
            Pipeline p = j.pipelined();
            List<Response<Long>> ttls = new ArrayList<>(ids.size());
            for (String id : ids) {
                ttls.add(p.pttl(PREFIX + id));
            }
            p.sync();
            long[] out = new long[ids.size()];
            for (int i = 0; i < out.length; i++) {
                Long ms = ttls.get(i).get();
                out[i] = ms == null || ms <= 0 ? -1 : ms;
            }
            return out;
        });
    }

    @Override
    public void open(String id, Duration duration) {
        store.execute(j -> j.set(PREFIX + id, "1", SetParams.setParams().px(Math.max(1, duration.toMillis()))));
    }
}
