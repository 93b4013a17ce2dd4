package io.switchboard.core.resilience;

import io.switchboard.shared.config.Routing;
import java.util.random.RandomGenerator;

/**
 * Picks one deployment among a group's candidates: weighted random, fewest in flight (ties weighted random), or
 * lowest recent latency (unmeasured first). Candidates are those whose bit is set in a mask (a group has at most 64
 * deployments), so a pick allocates nothing.
 */
final class Balancer {
    private Balancer() {
    }

    /** The index of the pick among {@code states} whose bit is in {@code mask}, or -1 when the mask is empty. */
    static int pick(Routing routing, DeploymentState[] states, long mask, RandomGenerator random) {
        if (mask == 0) {
            return -1;
        }
        if (Long.bitCount(mask) == 1) {
            return Long.numberOfTrailingZeros(mask);
        }
        return switch (routing) {
            case WEIGHTED -> weighted(states, mask, random);
            case LEAST_IN_FLIGHT -> weighted(states, least(states, mask, true), random);
            case LATENCY -> weighted(states, least(states, mask, false), random);
        };
    }

    private static long least(DeploymentState[] states, long mask, boolean inFlight) {
        long best = Long.MAX_VALUE;
        long bestMask = 0;
        for (int i = 0; i < states.length; i++) {
            if ((mask & (1L << i)) == 0) {
                continue;
            }
            long v = inFlight ? states[i].inFlight() : states[i].latencyNanos();
            if (v < best) {
                best = v;
                bestMask = 1L << i;
            } else if (v == best) {
                bestMask |= 1L << i;
            }
        }
        return bestMask;
    }

    private static int weighted(DeploymentState[] states, long mask, RandomGenerator random) {
        int total = 0;
        for (int i = 0; i < states.length; i++) {
            if ((mask & (1L << i)) != 0) {
                total += states[i].deployment().weight();
            }
        }
        int r = random.nextInt(total);
        for (int i = 0; i < states.length; i++) {
            if ((mask & (1L << i)) != 0) {
                r -= states[i].deployment().weight();
                if (r < 0) {
                    return i;
                }
            }
        }
        return 63 - Long.numberOfLeadingZeros(mask);
    }
}
