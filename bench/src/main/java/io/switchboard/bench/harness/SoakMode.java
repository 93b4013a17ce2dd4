package io.switchboard.bench.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.shared.json.Json;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The soak run ({@code bench/run.sh --soak [--minutes N] [--rate R]}): the local run as the harness starts it, with
 * the response cache on (L2 in a {@code redis-server} the harness starts on loopback when one is installed, else the
 * local run's own default), under the steady open-loop load of {@link SoakLoad} for {@code N} minutes (default
 * {@value #DEFAULT_MINUTES}). Every {@value #SAMPLE_SECONDS} s the gateway's JVM is sampled by {@link ProcessProbe}:
 * heap after a full GC, metaspace, live threads, open descriptors, resident memory. At the end: a least-squares slope
 * per metric over the second half ({@link SoakAnalysis}), the errors, a table, {@code soak-latest.json} in the results
 * directory, and exit status 1 on any error, any leaking metric, a load that fell behind or a cache that never hit.
 *
 * <p>The local dashboard is off in this run ({@code SWITCHBOARD_LOCAL_DASHBOARD=off}, EMF still written): it is the
 * local stand-in for CloudWatch, keeping every metric point for 30 minutes up to 400,000 points, so at this rate it
 * fills for about a quarter of an hour by design, which would read as a leak of the gateway.
 */
final class SoakMode {
    static final int DEFAULT_MINUTES = 30;
    static final int DEFAULT_RATE = 40;
    static final int SAMPLE_SECONDS = 10;
    /** The L1 lifetime of the soaked gateway (the default is 60 s). */
    static final int L1_TTL_SECONDS = 5;
    /** The streaming run's upstream: 20 ms to the first byte, 1 KB in 8 chunks 5 ms apart (whole when not streamed). */
    static final MockUpstream.Options MOCK = new MockUpstream.Options(20, 1024, 8, 5);
    /** The closed-loop warm-up before the measured run ({@link SoakLoad#warmUp}). */
    static final Duration WARM_UP = Duration.ofSeconds(20);
    /**
     * The steady load between the warm-up and the measured run, not measured: what the warm-up's burst started and
     * lets go of by itself goes first (DynamoDB Local's server threads, up to 200 in the burst, idle out after 60 s,
     * and the heap they held, ~3.5 MiB, with them), so it does not read as a fall at the start of a short run's
     * second half, where it would hide a leak as large.
     */
    static final Duration SETTLE = Duration.ofSeconds(65);

    private SoakMode() {
    }

    /** Runs the soak; returns the exit status (0 pass, 1 fail). */
    static int run(Path repo, Path out, int minutes, int rate) throws Exception {
        if (minutes < 1 || rate < 1) {
            throw new IllegalArgumentException("--minutes and --rate must be at least 1");
        }
        // the shared client's connections stay open for the whole run (the JDK client closes idle ones after 30 s
        // by default): a steady set of connections, so the gateway's thread and descriptor counts are steady too;
        // connection churn is the load's own lane (every 20th request on a new connection)
        System.setProperty("jdk.httpclient.keepalive.timeout", "7200");
        long started = System.nanoTime();
        ObjectNode results = Json.MAPPER.createObjectNode();
        results.put("time", Instant.now().toString());
        results.put("mode", "soak");
        results.put("commit", Harness.gitCommit(repo));
        results.set("machine", Harness.machine());
        results.put("load_average_start", loadAverage());
        ObjectNode setup = results.putObject("soak_setup");
        setup.put("minutes", minutes);
        setup.put("rate_per_s", rate);
        setup.put("sample_every_s", SAMPLE_SECONDS);
        setup.put("max_in_flight", SoakLoad.WORKERS);
        setup.put("warm_up", WARM_UP.toSeconds() + " s, closed loop, " + SoakLoad.WARM_UP_CONCURRENCY + " at once; then "
                + SETTLE.toSeconds() + " s of the steady load, not measured");
        setup.put("mix", "4 lanes in turn: repeated prompt (1 of " + SoakLoad.REPEATED_PROMPTS + ") / unique prompt, "
                + "each streamed and not; temperature 0; every " + SoakLoad.CHURN_EVERY + "th on a new connection");
        setup.put("upstream", "latency " + MOCK.latencyMs() + " ms, " + MOCK.responseBytes() + " B in " + MOCK.chunks()
                + " chunks " + MOCK.chunkIntervalMs() + " ms apart");
        setup.put("dashboard", "off (SWITCHBOARD_LOCAL_DASHBOARD=off; EMF still written)");
        setup.put("l1_ttl_s", L1_TTL_SECONDS);
        String runId = Long.toHexString(System.currentTimeMillis());
        List<double[]> rows = new ArrayList<>();
        Map<String, Long> halfway = new java.util.HashMap<>();
        ArrayNode samples = results.putArray("samples");
        boolean alive;
        ObjectNode requests;
        try (Processes procs = new Processes();
             MockUpstream mock = MockUpstream.start(0, MOCK)) {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("SWITCHBOARD_CACHE", "on");
            env.put("SWITCHBOARD_LOCAL_DASHBOARD", "off");
            // L1 entries live 5 s instead of 60: each environment's L1 holds what it stored in the last seconds (and an
            // idle one keeps its expired entries until it is used again), so a shorter life keeps that bounded content
            // small and steady, and turns it over twelve times as often: a leak stands out of a flatter baseline
            env.put("SWITCHBOARD_CACHE_L1_TTL_SECONDS", Integer.toString(L1_TTL_SECONDS));
            Redis redis = startRedis(procs, out);
            if (redis != null) {
                env.put("SWITCHBOARD_CACHE_URL", "redis://127.0.0.1:" + redis.port());
                setup.put("l2", "redis-server started by the harness on 127.0.0.1:" + redis.port());
            } else {
                setup.put("l2", "the local run's default (redis-server is not on the PATH of the harness)");
            }
            Target sb = Harness.startSwitchboard(procs, repo, mock, out, env);
            long pid = sb.process().pid();
            ProcessProbe probe = new ProcessProbe(Path.of(System.getProperty("java.home")), out.resolve("logs"));
            try (SoakLoad load = new SoakLoad(sb, MockUpstream.content(MOCK.responseBytes()), runId)) {
                Harness.log(Harness.fmt("soak warm-up: %d threads, closed loop, %d s", SoakLoad.WARM_UP_CONCURRENCY,
                        WARM_UP.toSeconds()));
                load.warmUp(WARM_UP);
                Harness.log(Harness.fmt("soak settling: %d s at %d req/s", SETTLE.toSeconds(), rate));
                load.run(SETTLE, rate, () -> !sb.process().isAlive());
                load.measureFromNow();
                load.drainWindow();
                Harness.log(Harness.fmt("soak: %d min at %d req/s, a sample every %d s", minutes, rate,
                        SAMPLE_SECONDS));
                long t0 = System.nanoTime();
                int lastSample = minutes * 60 / SAMPLE_SECONDS;
                Thread sampler = Thread.ofPlatform().name("soak-sampler").start(() -> {
                    for (int k = 0; k <= lastSample && sb.process().isAlive(); k++) {
                        long due = t0 + k * SAMPLE_SECONDS * 1_000_000_000L;
                        long wait;
                        while ((wait = due - System.nanoTime()) > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        double t = (System.nanoTime() - t0) / 1e9;
                        ProcessProbe.Reading r = probe.read(pid);
                        SoakLoad.Window w = load.drainWindow();
                        long redisRss = redis == null ? -1 : ProcessProbe.rss(redis.process().pid());
                        ObjectNode s = sample(t, r, redisRss, load.sent() - load.warmUpRequests(),
                                load.errorCount(), w);
                        synchronized (rows) {
                            rows.add(new double[] {t, r.heapAfterGcBytes(), r.metaspaceBytes(),
                                s.path("threads").asDouble(), r.fds(), r.fileFds(), r.rssBytes()});
                            samples.add(s);
                            if (k == 0 || k == lastSample) {
                                ObjectNode g = Json.MAPPER.createObjectNode();
                                r.threadGroups().forEach(g::put);
                                results.set(k == 0 ? "thread_groups_start" : "thread_groups_end", g);
                            }
                            if (t >= lastSample * SAMPLE_SECONDS / 2.0 && halfway.isEmpty()) {
                                halfway.putAll(r.classBytes());
                            }
                            if (k == lastSample) {
                                results.set("classes_grown_second_half", grown(halfway, r.classBytes(), 10));
                            }
                        }
                        Harness.log(line(s));
                    }
                });
                load.run(Duration.ofMinutes(minutes), rate, () -> !sb.process().isAlive());
                sampler.join();
                alive = sb.process().isAlive();
                requests = load.summary();
            }
        }
        results.put("load_average_end", loadAverage());
        results.set("requests", requests);
        double[][] data = rows.toArray(new double[0][]);
        ObjectNode metrics = results.putObject("metrics");
        List<String> reasons = new ArrayList<>();
        double half = minutes * 60 / 2.0;
        for (int m = 0; m < SoakAnalysis.METRICS.size(); m++) {
            SoakAnalysis.Metric metric = SoakAnalysis.METRICS.get(m);
            double[] t = new double[data.length];
            double[] v = new double[data.length];
            for (int i = 0; i < data.length; i++) {
                t[i] = data[i][0];
                v[i] = data[i][m + 1];
            }
            SoakAnalysis.Judgement j = SoakAnalysis.judge(metric, t, v, half);
            metrics.set(metric.name(), judgement(j, t, v, half));
            if (!j.pass()) {
                reasons.add(j.reason());
            }
        }
        reasons.addAll(loadProblems(requests, minutes, rate, alive));
        ObjectNode verdict = results.putObject("soak_verdict");
        verdict.put("pass", reasons.isEmpty());
        ArrayNode why = verdict.putArray("reasons");
        reasons.forEach(why::add);
        results.put("duration_s", Math.round((System.nanoTime() - started) / 1e8) / 10.0);

        Files.createDirectories(out);
        Path json = out.resolve("soak-latest.json");
        Files.writeString(json, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(results) + "\n");
        System.out.print(table(results));
        System.out.println("results: " + json);
        return reasons.isEmpty() ? 0 : 1;
    }

    /** What is wrong with the load itself: errors, a schedule not kept, a cache that never hit or never missed. */
    static List<String> loadProblems(JsonNode requests, int minutes, int rate, boolean alive) {
        List<String> out = new ArrayList<>();
        if (!alive) {
            out.add("the gateway process died");
        }
        long errors = requests.path("errors").asLong();
        if (errors > 0) {
            out.add(errors + " requests failed (non-200, broken stream or transport): "
                    + requests.path("errors_by_kind"));
        }
        long scheduled = (long) minutes * 60 * rate;
        long warmUp = requests.path("warm_up").asLong();
        if (requests.path("sent").asLong() - warmUp < scheduled * 0.95) {
            out.add(Harness.fmt("the load fell behind: %d of %d scheduled requests sent", requests.path("sent")
                    .asLong() - warmUp, scheduled));
        }
        long hits = 0;
        long misses = 0;
        for (var it = requests.path("cache").fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().startsWith("HIT")) {
                hits += e.getValue().asLong();
            } else if (e.getKey().equals("MISS")) {
                misses += e.getValue().asLong();
            }
        }
        if (hits == 0 || misses == 0) {
            out.add("the response cache was not exercised (" + hits + " hits, " + misses + " misses): "
                    + requests.path("cache"));
        }
        return out;
    }

    /** The {@code top} classes whose live bytes grew most from {@code from} to {@code to}. */
    static ArrayNode grown(Map<String, Long> from, Map<String, Long> to, int top) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        to.entrySet().stream()
                .filter(e -> !e.getKey().equals(ProcessProbe.FILLER))
                .map(e -> Map.entry(e.getKey(), e.getValue() - from.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(top)
                .forEach(e -> {
                    ObjectNode n = a.addObject();
                    n.put("class", e.getKey());
                    n.put("from_bytes", from.getOrDefault(e.getKey(), 0L));
                    n.put("to_bytes", to.get(e.getKey()));
                    n.put("grew_bytes", e.getValue());
                });
        return a;
    }

    private static ObjectNode sample(double t, ProcessProbe.Reading r, long redisRss, long sent, long errors,
            SoakLoad.Window w) {
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("t_s", Harness.round3(t));
        s.put("heap_after_gc", r.heapAfterGcBytes());
        s.put("metaspace", r.metaspaceBytes());
        // judged: the process's threads but for DynamoDB Local's, which in AWS is a managed service and not in the
        // function: its Jetty server pool ("qtp…", threads come and go with its load and idle out after 60 s) and its
        // JobsRegister, a fixed pool of 10 with the JDK's default names ("pool-N-thread-N", one more thread per job
        // until 10; seen going from 5 to 9 in 30 minutes). The gateway names every thread it starts, so default-named
        // pools in the process are DynamoDB Local's; a leak of unnamed threads ("Thread-N") is still counted.
        int emulation = r.threadsNamed("qtp") + r.threadsNamed("pool-");
        s.put("threads", r.threads() < 0 || r.threadGroups().isEmpty() ? -1 : r.threads() - emulation);
        s.put("threads_total", r.threads());
        s.put("threads_dynamodb_local", r.threadGroups().isEmpty() ? -1 : emulation);
        s.put("environments", r.threadGroups().isEmpty() ? -1 : r.threadsNamed("env-"));
        s.put("fds", r.fds());
        s.put("file_fds", r.fileFds());
        s.put("rss", r.rssBytes());
        s.put("redis_rss", redisRss);
        s.put("requests", sent);
        s.put("errors", errors);
        s.put("window_answered", w.answered());
        s.put("window_p50_ms", w.p50Nanos() < 0 ? -1 : Harness.round3(w.p50Nanos() / 1e6));
        s.put("window_p99_ms", w.p99Nanos() < 0 ? -1 : Harness.round3(w.p99Nanos() / 1e6));
        return s;
    }

    private static ObjectNode judgement(SoakAnalysis.Judgement j, double[] t, double[] v, double half) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        SoakAnalysis.Metric m = j.metric();
        n.put("unit", m.unit());
        n.put("max_slope_per_hour", m.maxSlopePerHour());
        n.put("noise_floor", m.noiseFloor());
        double firstSum = 0;
        int firstN = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < t.length; i++) {
            if (v[i] < 0) {
                continue;
            }
            if (t[i] < half) {
                firstSum += v[i];
                firstN++;
            } else {
                min = Math.min(min, v[i]);
                max = Math.max(max, v[i]);
            }
        }
        n.put("first_half_mean", firstN == 0 ? -1 : Harness.round3(firstSum / firstN));
        n.put("second_half_min", min == Double.POSITIVE_INFINITY ? -1 : min);
        n.put("second_half_max", max == Double.NEGATIVE_INFINITY ? -1 : max);
        if (j.fit() != null) {
            n.put("points", j.fit().n());
            n.put("slope_per_hour", Harness.round3(j.fit().slopePerHour()));
            n.put("slope_stderr_per_hour", Double.isNaN(j.fit().slopeStdErrPerHour()) ? -1
                    : Harness.round3(j.fit().slopeStdErrPerHour()));
            n.put("rise_over_window", Harness.round3(j.fit().rise()));
        }
        n.put("pass", j.pass());
        return n;
    }

    private static String line(JsonNode s) {
        return Harness.fmt("soak t=%5.0fs heap-after-GC %6.2f MiB  metaspace %6.2f MiB  threads %3d (+%d DynamoDB "
                        + "Local, %d environments)  fds %4d (%d not sockets)  RSS %6.1f MiB | %7d requests, %d errors, window p50 %.1f ms "
                        + "p99 %.1f ms", s.path("t_s").asDouble(), mib(s.path("heap_after_gc")), mib(s.path("metaspace")),
                s.path("threads").asInt(), s.path("threads_dynamodb_local").asInt(), s.path("environments").asInt(),
                s.path("fds").asInt(), s.path("file_fds").asInt(), mib(s.path("rss")), s.path("requests").asLong(),
                s.path("errors").asLong(), s.path("window_p50_ms").asDouble(), s.path("window_p99_ms").asDouble());
    }

    private static double mib(JsonNode bytes) {
        return bytes.asDouble() / SoakAnalysis.MIB;
    }

    /** The summary: per metric first-half mean, second-half range, slope, rise and limits; the load; the verdict. */
    static String table(JsonNode r) {
        StringBuilder sb = new StringBuilder();
        JsonNode setup = r.path("soak_setup");
        JsonNode req = r.path("requests");
        sb.append(Harness.fmt("%nSoak: %s, %d min at %d req/s (%s); L2: %s; load average %s -> %s%n",
                r.path("commit").asText(), setup.path("minutes").asInt(), setup.path("rate_per_s").asInt(),
                setup.path("mix").asText(), setup.path("l2").asText(), r.path("load_average_start").asText(),
                r.path("load_average_end").asText()));
        sb.append(Harness.fmt("%-14s %14s %20s %16s %16s %16s  %s%n", "metric", "1st-half mean", "2nd-half min..max",
                "slope / h", "rise (2nd half)", "limit / h, floor", "verdict"));
        for (SoakAnalysis.Metric m : SoakAnalysis.METRICS) {
            JsonNode j = r.path("metrics").path(m.name());
            sb.append(Harness.fmt("%-14s %14s %20s %16s %16s %16s  %s%n", m.name(),
                    SoakAnalysis.show(m, j.path("first_half_mean").asDouble()),
                    SoakAnalysis.show(m, j.path("second_half_min").asDouble()) + ".."
                            + SoakAnalysis.show(m, j.path("second_half_max").asDouble()).replace(" MiB", ""),
                    j.has("slope_per_hour") ? SoakAnalysis.show(m, j.path("slope_per_hour").asDouble()) : "-",
                    j.has("rise_over_window") ? SoakAnalysis.show(m, j.path("rise_over_window").asDouble()) : "-",
                    SoakAnalysis.show(m, m.maxSlopePerHour()).replace(" MiB", "") + ", "
                            + SoakAnalysis.show(m, m.noiseFloor()),
                    j.path("pass").asBoolean() ? "PASS" : "FAIL"));
        }
        JsonNode lat = req.path("latency");
        sb.append(Harness.fmt("requests: %d sent (%d on a new connection), %d errors %s; cache %s; latency p50 %.1f ms, "
                        + "p99 %.1f ms, max %.1f ms; schedule lag max %.1f ms%n", req.path("sent").asLong(),
                req.path("own_connection").asLong(), req.path("errors").asLong(), req.path("errors_by_kind"),
                req.path("cache"), lat.path("p50_us").asDouble() / 1e3, lat.path("p99_us").asDouble() / 1e3,
                lat.path("max_us").asDouble() / 1e3, req.path("max_schedule_lag_ms").asDouble()));
        for (JsonNode e : req.path("error_samples")) {
            sb.append("  error: ").append(e.asText()).append('\n');
        }
        StringBuilder grown = new StringBuilder();
        JsonNode g0 = r.path("thread_groups_start");
        for (var it = r.path("thread_groups_end").fields(); it.hasNext(); ) {
            var e = it.next();
            int before = g0.path(e.getKey()).asInt(0);
            if (e.getValue().asInt() != before) {
                grown.append(Harness.fmt(" %s %d->%d;", e.getKey(), before, e.getValue().asInt()));
            }
        }
        for (var it = g0.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!r.path("thread_groups_end").has(name)) {
                grown.append(Harness.fmt(" %s %d->0;", name, g0.path(name).asInt()));
            }
        }
        StringBuilder classes = new StringBuilder();
        for (JsonNode c : r.path("classes_grown_second_half")) {
            if (classes.length() < 400) {
                classes.append(Harness.fmt(" %s +%.1f KiB;", c.path("class").asText(),
                        c.path("grew_bytes").asDouble() / 1024));
            }
        }
        sb.append("live heap by class, most grown over the second half:").append(classes.isEmpty() ? " none"
                : classes).append('\n');
        sb.append("threads by name, first to last sample:").append(grown.isEmpty() ? " unchanged" : grown)
                .append('\n');
        JsonNode v = r.path("soak_verdict");
        sb.append("soak: ").append(v.path("pass").asBoolean() ? "PASS" : "FAIL").append('\n');
        for (JsonNode reason : v.path("reasons")) {
            sb.append("  ").append(reason.asText()).append('\n');
        }
        return sb.toString();
    }

    /** A {@code redis-server} the run started, and its port. */
    private record Redis(Process process, int port) {
    }

    /** A {@code redis-server} on a free loopback port, or null when none is on the PATH (or it does not come up). */
    private static Redis startRedis(Processes procs, Path out) throws IOException, InterruptedException {
        String binary = null;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, "redis-server");
            if (f.canExecute()) {
                binary = f.getPath();
                break;
            }
        }
        if (binary == null) {
            return null;
        }
        int port = Processes.freePort();
        Files.createDirectories(out);
        Process p = procs.start(List.of(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no"), out, Map.of(), out.resolve("logs/redis.log"));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline && p.isAlive()) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return new Redis(p, port);
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        procs.stop(p);
        return null;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
