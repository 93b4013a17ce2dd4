package io.switchboard.bench;

import io.switchboard.core.Ticker;
import io.switchboard.core.config.Settings;
import io.switchboard.core.metrics.EmfWriter;
import io.switchboard.core.metrics.JvmMetrics;
import io.switchboard.core.metrics.JvmSampler;
import io.switchboard.core.metrics.PowertoolsMetrics;
import io.switchboard.core.metrics.RequestOutcome;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.InstantSource;
import java.util.Map;

/**
 * What the metrics added by the operations work cost (README, "Operating Switchboard"), in one JVM, EMF written to
 * a discarding stdout: a JVM sample ({@link JvmSampler#sample()}), the per-request check whether a JVM document is due
 * (not due: one ticker read), a JVM document when due, and a request's metrics with and without the per-provider
 * document. Prints nanoseconds per operation (median of 5 rounds after warm-up).
 */
public final class MetricsCostBench {
    private MetricsCostBench() {
    }

    private static double nanosPer(int n, Runnable r) {
        long[] rounds = new long[5];
        for (int w = 0; w < 3; w++) {
            for (int i = 0; i < n; i++) {
                r.run();
            }
        }
        for (int k = 0; k < rounds.length; k++) {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                r.run();
            }
            rounds[k] = System.nanoTime() - start;
        }
        java.util.Arrays.sort(rounds);
        return rounds[2] / (double) n;
    }

    public static void main(String[] args) {
        PrintStream real = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        Settings settings = Settings.from(Map.of("POWERTOOLS_METRICS_NAMESPACE", "Bench"));
        JvmSampler sampler = new JvmSampler();
        double sample = nanosPer(20_000, sampler::sample);
        EmfWriter w = EmfWriter.create(settings, Map.of(), InstantSource.system());
        JvmMetrics notDue = new JvmMetrics(w, Ticker.system(), "bench");
        notDue.maybeWrite();
        double check = nanosPer(1_000_000, notDue::maybeWrite);
        long[] fake = {0};
        JvmMetrics alwaysDue = new JvmMetrics(w, () -> fake[0] += JvmMetrics.INTERVAL_NANOS, "bench");
        double due = nanosPer(20_000, alwaysDue::maybeWrite);
        PowertoolsMetrics m = PowertoolsMetrics.create(settings, Map.of());
        RequestOutcome upstream = new RequestOutcome(200, 5_000_000, 3_000_000, "mock", "mock-1", 10, 20, null);
        RequestOutcome hit = new RequestOutcome(200, 1_000_000, 0, "mock", "mock-1", 10, 20, null, "HIT-L1", 0, 0,
                0, 0);
        double withProvider = nanosPer(50_000, () -> m.request(upstream));
        double withoutProvider = nanosPer(50_000, () -> m.request(hit));
        System.setOut(real);
        System.out.printf("JvmSampler.sample()                      %8.0f ns%n", sample);
        System.out.printf("JvmMetrics.maybeWrite(), not due         %8.1f ns%n", check);
        System.out.printf("JvmMetrics.maybeWrite(), due (document)  %8.0f ns%n", due);
        System.out.printf("request metrics, provider called         %8.0f ns (request + per-provider document)%n",
                withProvider);
        System.out.printf("request metrics, cache hit               %8.0f ns (request document only)%n",
                withoutProvider);
    }
}
