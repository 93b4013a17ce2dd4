package io.switchboard.bench.jmh;

import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.cache.ValkeyL2Store;
import io.switchboard.core.config.Settings;
import io.switchboard.core.governance.Governance;
import io.switchboard.core.governance.GovernanceMetrics;
import io.switchboard.core.governance.Grant;
import io.switchboard.core.governance.KeyDirectory;
import io.switchboard.core.governance.KeyPage;
import io.switchboard.core.governance.KeyRecord;
import io.switchboard.core.governance.KeyStore;
import io.switchboard.core.governance.Principal;
import io.switchboard.core.governance.PriceTable;
import io.switchboard.core.governance.TenantLimits;
import io.switchboard.core.governance.internal.ValkeyRateLimiter;
import io.switchboard.core.metrics.GatewayMetrics;
import io.valkey.Jedis;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What governance adds to a request: the key lookup (SHA-256 of the presented key, the environment keys, the L1 of
 * stored keys; a hit, as for every request but one per key per 4 s) and the limit check (one pipelined round trip to a
 * real {@code redis-server} on loopback), against the bare L2 round trip ({@code PING}) it is measured against.
 * Sample time, so JMH reports p50. The gate: {@code keyLookupAndLimitCheck} p50 &le; {@code l2RoundTrip} p50 + 5 µs.
 *
 * <pre>java -cp bench/target/switchboard-bench.jar org.openjdk.jmh.Main GovernanceBench</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GovernanceBench {
    private static final String SECRET = "sk-sb-benchmarkbenchmarkbenchmarkbenchmark0";

    private Process redis;
    private ValkeyL2Store l2;
    private Jedis ping;
    private Governance governance;
    private Governance governanceNoL2;
    private Governance governanceCannedL2;
    private final AtomicLong clockMillis = new AtomicLong(Instant.parse("2026-12-02T12:00:00Z").toEpochMilli());

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        redis = new ProcessBuilder(redisServer(), "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save",
                "", "--appendonly", "no").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        for (int i = 0; i < 500; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                break;
            } catch (java.io.IOException notYet) {
                Thread.sleep(10);
            }
        }
        String url = "redis://127.0.0.1:" + port;
        l2 = new ValkeyL2Store(Settings.from(Map.of("SWITCHBOARD_CACHE_URL", url)).cache(), "us-east-1", () -> null,
                Clock.systemUTC(), System::nanoTime, GatewayMetrics.noop());
        ping = new Jedis("127.0.0.1", port);
        Instant t = Instant.parse("2026-12-01T00:00:00Z");
        // limits high enough never to refuse during the run: every call does the full check and count
        KeyRecord key = new KeyRecord("key_00000000000000be", Authenticator.sha256Hex(SECRET), "bench", "bench",
                List.of("mock-*"), 1_000_000_000L, 1_000_000_000_000L, null, null, null, false, Map.of(), t, t, 1);
        KeyStore store = new MemoryStore(key);
        InstantSource clock = () -> Instant.ofEpochMilli(clockMillis.get());
        KeyDirectory keys = new KeyDirectory(new Authenticator(List.of()), store, Duration.ofSeconds(4),
                Duration.ofSeconds(60), () -> 0L, clock); // time stands still: the L1 always hits
        governance = new Governance(keys, new ValkeyRateLimiter(l2), false, PriceTable.of(Map.of()), null,
                clock, System::nanoTime, GovernanceMetrics.counting(), 512);
        governanceCannedL2 = new Governance(keys, new ValkeyRateLimiter(new CannedL2()), false,
                PriceTable.of(Map.of()), null, clock, System::nanoTime, GovernanceMetrics.counting(), 512);
        governanceNoL2 = new Governance(keys, null, false, PriceTable.of(Map.of()), null, clock, System::nanoTime,
                GovernanceMetrics.counting(), 512);
    }

    private static String redisServer() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, "redis-server");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        throw new IllegalStateException("GovernanceBench needs redis-server on the PATH");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ping.close();
        l2.close();
        redis.destroyForcibly();
    }

    /** The bare L2 round trip on loopback. */
    @Benchmark
    public String l2RoundTrip() {
        return ping.ping();
    }

    /**
     * One L2 round trip as the gateway makes it: {@code PING} through the same store (its pooled connection and error
     * handling) the limit check goes through — the round trip the gate's "+ 5 µs" is counted from.
     */
    @Benchmark
    public String l2RoundTripThroughStore() {
        return l2.execute(Jedis::ping);
    }

    /** The key lookup alone (L1 hit): SHA-256, the environment keys, the map. */
    @Benchmark
    public Principal keyLookup() {
        return governanceNoL2.authenticate("Bearer " + SECRET);
    }

    /** What a governed request adds: the key lookup and the limit check (one pipelined round trip counting rpm and tpm). */
    @Benchmark
    public Grant keyLookupAndLimitCheck() {
        Principal p = governance.authenticate("Bearer " + SECRET);
        return governance.admit(p, "mock-1", 300);
    }

    /**
     * The same key lookup and limit check with L2 answering from memory (canned replies, no network): the CPU the
     * gateway spends on its side of the check — building the counters' keys and commands, reading the replies, the
     * {@code x-ratelimit-*} headers.
     */
    @Benchmark
    public Grant keyLookupAndLimitCheckCpuOnly() {
        Principal p = governanceCannedL2.authenticate("Bearer " + SECRET);
        return governanceCannedL2.admit(p, "mock-1", 300);
    }

    /** Clears redis's per-command statistics (for {@code GovernanceProbe}). */
    public void resetServerStats() {
        ping.configResetStat();
    }

    /** redis's own microseconds per call of PING and the limit check's commands since the last reset. */
    public String serverStats() {
        StringBuilder sb = new StringBuilder();
        for (String line : ping.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_ping:") || line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_incrby:") || line.startsWith("cmdstat_get:") || line.startsWith("cmdstat_pexpire:") || line.startsWith("cmdstat_mget:")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                String per = line.replaceAll(".*usec_per_call=([0-9.]+).*", "$1");
                sb.append(name).append(' ').append(per).append(" us; ");
            }
        }
        return sb.toString();
    }

    /** An L2 that answers every pipeline from memory: each counter at its cost, no previous window, no spend. */
    private static final class CannedL2 implements io.switchboard.core.governance.CounterL2 {
        @Override
        public List<Object> pipeline(List<String[]> commands) {
            Object[] replies = new Object[commands.size()];
            for (int i = 0; i < replies.length; i++) {
                String name = commands.get(i)[0];
                replies[i] = name.equals("INCRBY") ? Long.valueOf(commands.get(i)[2])
                        : name.equals("PEXPIRE") ? Long.valueOf(1)
                        : name.equals("MGET") ? java.util.Arrays.asList(new Object[commands.get(i).length - 1])
                        : null;
            }
            return java.util.Arrays.asList(replies);
        }

        @Override
        public Object runScript(io.switchboard.core.governance.LuaScript script, List<String> keys,
                List<String> args) {
            return 1L;
        }
    }

    /** A key store in memory (the lookup is a hit in the L1 after the first call). */
    private record MemoryStore(KeyRecord key) implements KeyStore {
        @Override
        public Optional<KeyRecord> findByHash(String hashHex) {
            return hashHex.equals(key.hash()) ? Optional.of(key) : Optional.empty();
        }

        @Override
        public Optional<KeyRecord> get(String id) {
            return Optional.empty();
        }

        @Override
        public void create(KeyRecord k) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean replace(KeyRecord old, KeyRecord updated) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean delete(KeyRecord k) {
            throw new UnsupportedOperationException();
        }

        @Override
        public KeyPage list(String tenant, int limit, String cursor) {
            return new KeyPage(List.of(), null);
        }

        @Override
        public TenantLimits tenantLimits(String tenant) {
            return TenantLimits.none(tenant);
        }

        @Override
        public void putTenantLimits(TenantLimits limits) {
            throw new UnsupportedOperationException();
        }
    }
}
