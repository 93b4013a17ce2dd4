package io.switchboard.bench.jmh;

import io.switchboard.core.Ticker;
import io.switchboard.core.metrics.GatewayMetrics;
import io.switchboard.core.resilience.Attempt;
import io.switchboard.core.resilience.BreakerBoard;
import io.switchboard.core.resilience.Plan;
import io.switchboard.core.resilience.Resilience;
import io.switchboard.core.resilience.SharedBreakerState;
import io.switchboard.core.resilience.Trail;
import io.switchboard.shared.config.Deployment;
import io.switchboard.shared.config.GatewayConfig;
import io.switchboard.shared.config.ModelRoute;
import io.switchboard.shared.config.ResilienceConfig;
import io.switchboard.shared.json.GatewayConfigJson;
import io.switchboard.shared.config.Limits;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What retries, breakers and deployments add to a request that succeeds at once: {@code direct} runs the provider
 * call stand-in alone (today's path), the others run it through {@link Resilience} for a plain model (one
 * deployment), a weighted group of two, and a group whose environment reads shared breaker state (an in-memory
 * stand-in for L2, read at most once per {@code shareEvery} = 1 s, as in production). The difference is the success
 * path's cost; SampleTime gives its p50.
 *
 * <pre>java -cp bench/target/switchboard-bench.jar org.openjdk.jmh.Main 'ResilienceBench' -bm sample -tu ns</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ResilienceBench {
    private static final Trail TRAIL = new Trail() {
        @Override
        public void attempt(Deployment deployment, int number) {
        }

        @Override
        public void fallback(String model) {
        }

        @Override
        public void waited(long nanos) {
        }

        @Override
        public boolean committed() {
            return false;
        }
    };

    private final Attempt<String> call = (d, cap) -> d.id();
    private Resilience plain;
    private Resilience shared;
    private Plan single;
    private Plan group;
    private Plan sharedGroup;
    private Deployment only;

    @Setup
    public void setUp() {
        GatewayConfig config = GatewayConfigJson.parse("""
                {"providers": {"a": {"type": "mock"}, "b": {"type": "mock"}},
                 "models": {"one": "a/m-1", "two": {"deployments": [{"route": "a/m-1", "weight": 3}, "b/m-1"]}}}
                """, Limits.DEFAULTS);
        ResilienceConfig rc = config.resilience();
        plain = Resilience.local(rc, ModelRoute::parse, Ticker.system(), GatewayMetrics.noop());
        single = plain.plan("one", ModelRoute.parse("a/m-1"));
        group = plain.plan("two", ModelRoute.parse("a/m-1"));
        SharedBreakerState memory = new SharedBreakerState() {
            @Override
            public long[] openMillis(List<String> ids) {
                return new long[ids.size()];
            }

            @Override
            public void open(String id, Duration duration) {
            }
        };
        shared = new Resilience(rc, ModelRoute::parse, new BreakerBoard(rc.breaker(), Ticker.system(), memory,
                new io.switchboard.core.cache.L2Guard(3, Duration.ofSeconds(5), Ticker.system()),
                GatewayMetrics.noop()), Ticker.system(), io.switchboard.core.resilience.Waits.system(), null,
                GatewayMetrics.noop());
        sharedGroup = shared.plan("two", ModelRoute.parse("a/m-1"));
        only = single.group().deployments().get(0);
    }

    @Benchmark
    public String direct() {
        return call.run(only, null);
    }

    @Benchmark
    public String singleDeployment() {
        return plain.call(plain.plan("one", ModelRoute.parse("a/m-1")), Long.MAX_VALUE, TRAIL, call);
    }

    @Benchmark
    public String singleDeploymentPlanned() {
        return plain.call(single, Long.MAX_VALUE, TRAIL, call);
    }

    @Benchmark
    public String weightedGroupOfTwo() {
        return plain.call(group, Long.MAX_VALUE, TRAIL, call);
    }

    @Benchmark
    public String weightedGroupSharedState() {
        return shared.call(sharedGroup, Long.MAX_VALUE, TRAIL, call);
    }
}
