package io.switchboard.bench;

import io.switchboard.bench.jmh.GovernanceBench;
import java.util.Arrays;

/**
 * Governance's overhead measured in pairs: each iteration times one bare L2 round trip ({@code PING}) and one key
 * lookup + limit check ({@code EVALSHA}) back to back, in alternating order, so load on a shared machine hits both
 * alike. Prints the p50 of each and the p50 of the per-pair difference (what governance adds beyond one round trip),
 * and redis's own time per call of each command. Arguments: {@code [pairs]} (default 50000, after 20000 warm-up).
 *
 * <pre>java -cp bench/target/switchboard-bench.jar io.switchboard.bench.GovernanceProbe</pre>
 */
public final class GovernanceProbe {
    private GovernanceProbe() {
    }

    public static void main(String[] args) throws Exception {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        GovernanceBench b = new GovernanceBench();
        b.setUp();
        try {
            for (int i = 0; i < 20_000; i++) {
                b.l2RoundTrip();
                b.keyLookupAndLimitCheck();
            }
            b.resetServerStats();
            long[] ping = new long[pairs];
            long[] governed = new long[pairs];
            long[] diff = new long[pairs];
            for (int i = 0; i < pairs; i++) {
                long t0;
                if ((i & 1) == 0) {
                    t0 = System.nanoTime();
                    b.l2RoundTrip();
                    long t1 = System.nanoTime();
                    b.keyLookupAndLimitCheck();
                    long t2 = System.nanoTime();
                    ping[i] = t1 - t0;
                    governed[i] = t2 - t1;
                } else {
                    t0 = System.nanoTime();
                    b.keyLookupAndLimitCheck();
                    long t1 = System.nanoTime();
                    b.l2RoundTrip();
                    long t2 = System.nanoTime();
                    governed[i] = t1 - t0;
                    ping[i] = t2 - t1;
                }
                diff[i] = governed[i] - ping[i];
            }
            System.out.printf("pairs=%d%n", pairs);
            System.out.printf("l2RoundTrip (PING)               p50 %.1f us  p90 %.1f us%n", p(ping, 50), p(ping, 90));
            System.out.printf("keyLookup + limit check (EVALSHA) p50 %.1f us  p90 %.1f us%n", p(governed, 50),
                    p(governed, 90));
            System.out.printf("added beyond one round trip       p50 %.1f us (per-pair difference)%n", p(diff, 50));
            System.out.println("redis-server time per call: " + b.serverStats());
        } finally {
            b.tearDown();
        }
    }

    private static double p(long[] nanos, int pct) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, (long) s.length * pct / 100)] / 1000.0;
    }
}
