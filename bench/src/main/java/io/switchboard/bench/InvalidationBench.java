package io.switchboard.bench;

import io.switchboard.core.Gateway;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.cache.CacheKey;
import io.switchboard.core.cache.CacheTrace;
import io.switchboard.core.cache.InvalidationScope;
import io.switchboard.core.cache.InvalidationStore;
import io.switchboard.core.cache.L2Store;
import io.switchboard.core.cache.ResponseCache;
import io.switchboard.core.config.Settings;
import io.switchboard.core.http.GatewayRequest;
import io.switchboard.core.metrics.GatewayMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cost of the invalidation check on the L1-hit path, measured in one run: two environments identical but for
 * the invalidation view (one whose L2 offers the invalidation log, one whose L2 does not), L1 hits interleaved in
 * rounds. Reports {@code ResponseCache.lookup} per hit and whole-request ({@code Gateway.handle}) per hit for both.
 * L2 is in memory: only the hit path is measured (the view re-reads the log once per second, as configured).
 *
 * <pre>java -cp bench/target/switchboard-bench.jar io.switchboard.bench.InvalidationBench [--rounds 400]</pre>
 */
public final class InvalidationBench {
    private InvalidationBench() {
    }

    /** An L2 in memory. */
    static class MemoryL2 implements L2Store {
        final Map<String, byte[]> values = new ConcurrentHashMap<>();

        @Override
        public byte[] get(String key) {
            return values.get(key);
        }

        @Override
        public void put(String key, byte[] value, Duration ttl, List<String> indexKeys, Duration indexTtl) {
            values.put(key, value);
        }

        @Override
        public boolean tryLock(String lockKey, String owner, Duration ttl) {
            return true;
        }

        @Override
        public void unlock(String lockKey, String owner) {
        }

        @Override
        public void close() {
        }
    }

    /** The same, with an (empty) invalidation log: the gateway then builds its invalidation view. */
    static final class MemoryL2WithLog extends MemoryL2 implements InvalidationStore {
        @Override
        public LogRead readLog(long after, int maxSequences) {
            return new LogRead(null, 0, List.of());
        }

        @Override
        public long appendLog(String eventId, List<InvalidationScope> scopes, Duration dedupeTtl) {
            return 0;
        }

        @Override
        public boolean recorded(String eventId) {
            return false;
        }

        @Override
        public long unlinkIndexed(String indexKey, int batch) {
            return 0;
        }

        @Override
        public long unlink(List<String> keys) {
            return 0;
        }
    }

    public static void main(String[] args) {
        int rounds = args.length > 1 && args[0].equals("--rounds") ? Integer.parseInt(args[1]) : 400;
        int perRound = 2_000;
        Map<String, String> env = Map.of("SWITCHBOARD_API_KEYS", "bench:" + Authenticator.sha256Hex("sk-bench"),
                "SWITCHBOARD_METRICS", "off");
        Gateway plain = Gateway.builder(Settings.from(env)).l2(new MemoryL2()).metrics(GatewayMetrics.noop()).build();
        Gateway checked = Gateway.builder(Settings.from(env)).l2(new MemoryL2WithLog())
                .metrics(GatewayMetrics.noop()).build();
        if (plain.cache().view() != null || checked.cache().view() == null) {
            throw new IllegalStateException("the two environments must differ only by the view");
        }
        GatewayRequest request = new GatewayRequest("POST", "/v1/chat/completions",
                Map.of("authorization", "Bearer sk-bench", "content-type", "application/json"),
                ("{\"model\":\"fast\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":"
                        + "\"Summarise the benefits of an LLM gateway in two sentences.\"}]}")
                        .getBytes(StandardCharsets.UTF_8), "bench", Long.MAX_VALUE);
        String[] nsDigest = plain.handle(request).headers().get("x-switchboard-cache-key").split(":");
        checked.handle(request);
        CacheKey key = new CacheKey("bench", nsDigest[0], nsDigest[1], "mock", "mock-1");
        if (!"HIT-L1".equals(checked.handle(request).headers().get("x-switchboard-cache"))) {
            throw new IllegalStateException("expected L1 hits");
        }
        double[] lookupPlain = new double[rounds];
        double[] lookupChecked = new double[rounds];
        double[] handlePlain = new double[rounds];
        double[] handleChecked = new double[rounds];
        long sink = 0;
        for (int warm = 0; warm < 2; warm++) {
            for (int r = 0; r < rounds; r++) {
                boolean first = (r & 1) == 0;
                lookupPlain[r] = lookups(plain.cache(), key, perRound, first);
                lookupChecked[r] = lookups(checked.cache(), key, perRound, !first);
                handlePlain[r] = handles(plain, request, perRound / 10);
                handleChecked[r] = handles(checked, request, perRound / 10);
                sink += (long) lookupPlain[r];
            }
        }
        double lp = median(lookupPlain);
        double lc = median(lookupChecked);
        double hp = median(handlePlain);
        double hc = median(handleChecked);
        System.out.printf(Locale.ROOT, "L1 hit, ResponseCache.lookup: %.1f ns without the check, %.1f ns with it"
                + " (%+.1f ns, %+.1f %%)%n", lp, lc, lc - lp, 100 * (lc - lp) / lp);
        System.out.printf(Locale.ROOT, "L1 hit, whole request (Gateway.handle): %.2f us without, %.2f us with"
                + " (%+.1f %%)%n", hp / 1000, hc / 1000, 100 * (hc - hp) / hp);
        System.out.printf(Locale.ROOT, "medians of %d interleaved rounds; %s%n", rounds, sink == 42 ? "" : "ok");
    }

    private static double lookups(ResponseCache cache, CacheKey key, int n, boolean unused) {
        CacheTrace trace = new CacheTrace();
        long start = System.nanoTime();
        int hits = 0;
        for (int i = 0; i < n; i++) {
            if (cache.lookup(key, trace) != null) {
                hits++;
            }
        }
        long nanos = System.nanoTime() - start;
        if (hits != n) {
            throw new IllegalStateException("a lookup missed");
        }
        return (double) nanos / n;
    }

    private static double handles(Gateway g, GatewayRequest request, int n) {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            if (g.handle(request).status() != 200) {
                throw new IllegalStateException("request failed");
            }
        }
        return (double) (System.nanoTime() - start) / n;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
