package io.switchboard.bench;

import io.switchboard.bench.jmh.GovernanceBench;
import java.util.Arrays;

/**
 * Governance's overhead measured in pairs: each iteration times one bare L2 round trip ({@code PING}) and one key
 * lookup + limit check (one pipelined round trip) back to back, in alternating order, so load on a shared machine hits both
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
                b.l2RoundTripThroughStore();
                b.keyLookupAndLimitCheck();
            }
            b.resetServerStats();
            long[] ping = new long[pairs];
            long[] storePing = new long[pairs];
            long[] governed = new long[pairs];
            long[] diff = new long[pairs];
            long[] diffStore = new long[pairs];
            for (int i = 0; i < pairs; i++) {
                // the three in a rotating order, so load on a shared machine hits each alike
                for (int k = 0; k < 3; k++) {
                    int which = (i + k) % 3;
                    long t0 = System.nanoTime();
                    if (which == 0) {
                        b.l2RoundTrip();
                        ping[i] = System.nanoTime() - t0;
                    } else if (which == 1) {
                        b.l2RoundTripThroughStore();
                        storePing[i] = System.nanoTime() - t0;
                    } else {
                        b.keyLookupAndLimitCheck();
                        governed[i] = System.nanoTime() - t0;
                    }
                }
                diff[i] = governed[i] - ping[i];
                diffStore[i] = governed[i] - storePing[i];
            }
            System.out.printf("pairs=%d%n", pairs);
            System.out.printf("l2RoundTrip (PING, bare client)   p50 %.1f us  p90 %.1f us%n", p(ping, 50), p(ping, 90));
            System.out.printf("l2RoundTrip (PING, gateway store) p50 %.1f us  p90 %.1f us%n", p(storePing, 50),
                    p(storePing, 90));
            System.out.printf("keyLookup + limit check (1 trip)  p50 %.1f us  p90 %.1f us%n", p(governed, 50),
                    p(governed, 90));
            System.out.printf("added beyond one bare round trip     p50 %.1f us (per-triple difference)%n", p(diff, 50));
            System.out.printf("added beyond one gateway round trip  p50 %.1f us (per-triple difference)%n",
                    p(diffStore, 50));
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
