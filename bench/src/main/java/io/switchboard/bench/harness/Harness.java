package io.switchboard.bench.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.bench.CacheBench;
import io.switchboard.bench.Percentiles;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The black-box performance harness: a mock upstream on loopback, Switchboard's local run and (full mode) the
 * Portkey gateway in front of it, the same requests sent to all three interleaved, rounds repeated so the noise can
 * be measured; then the cache paths, results as JSON, an SVG chart, a line of history and the regression gate.
 * Everything it starts is on 127.0.0.1 and is stopped at the end, also on failure.
 *
 * <pre>java -cp bench/target/switchboard-bench.jar io.switchboard.bench.harness.Harness --short|--full|--stream
 *     [--repo DIR] [--out DIR] [--history FILE|--no-history] [--baseline FILE] [--gate] [--record-baseline]
 *     [--no-portkey] [--rounds N]
 * java ... Harness --soak [--minutes N] [--rate R] [--repo DIR] [--out DIR]</pre>
 * Run it through {@code bench/run.sh}, which builds the jars and installs Portkey first. {@code --stream} is the
 * focused streaming run ({@link StreamMode}): direct and Switchboard only, exit status 1 when its targets are missed.
 * {@code --soak} is the leak hunt ({@link SoakMode}): Switchboard alone with its cache on, under steady load for
 * {@code N} minutes, exit status 1 on an error or a growing heap, metaspace, thread, descriptor or memory count.
 */
public final class Harness {
    static final String DEV_KEY = "sk-switchboard-dev";
    static final String UP_KEY = "sk-upstream-bench";
    /** The gate's cells: 0 ms upstream, small prompt, non-streaming, at these concurrencies. */
    static final int[] GATE_CONCURRENCY = {1, 8};

    private Harness() {
    }

    public static void main(String[] args) throws Exception {
        boolean full = false;
        boolean stream = false;
        boolean soak = false;
        int minutes = SoakMode.DEFAULT_MINUTES;
        int rate = SoakMode.DEFAULT_RATE;
        boolean gate = false;
        boolean recordBaseline = false;
        boolean portkey = true;
        int rounds = -1;
        Path repo = Path.of("").toAbsolutePath();
        Path out = null;
        Path history = null;
        boolean noHistory = false;
        Path baseline = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--short" -> {
                    full = false;
                    stream = false;
                }
                case "--full" -> {
                    full = true;
                    stream = false;
                }
                case "--stream" -> {
                    full = false;
                    stream = true;
                }
                case "--soak" -> soak = true;
                case "--minutes" -> minutes = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--gate" -> gate = true;
                case "--record-baseline" -> recordBaseline = true;
                case "--no-portkey" -> portkey = false;
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--repo" -> repo = Path.of(args[++i]).toAbsolutePath();
                case "--out" -> out = Path.of(args[++i]).toAbsolutePath();
                case "--history" -> history = Path.of(args[++i]).toAbsolutePath();
                case "--no-history" -> noHistory = true;
                case "--baseline" -> baseline = Path.of(args[++i]).toAbsolutePath();
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (soak) {
            if (full || stream || gate || recordBaseline) {
                throw new IllegalArgumentException("--soak is a mode of its own: no --full, --stream, --gate or "
                        + "--record-baseline with it");
            }
            System.exit(SoakMode.run(repo, out != null ? out : repo.resolve("bench/results"), minutes, rate));
        }
        if (stream && (recordBaseline || gate)) {
            throw new IllegalArgumentException("--stream has its own targets: the gate and its baseline are --short's");
        }
        out = out != null ? out : repo.resolve("bench/results");
        history = noHistory ? null : history != null ? history : repo.resolve("bench/history.jsonl");
        baseline = baseline != null ? baseline : repo.resolve("bench/baseline.json");
        rounds = rounds > 0 ? rounds : full ? 3 : 5;
        String mode = full ? "full" : stream ? "stream" : "short";
        long started = System.nanoTime();

        ObjectNode results = Json.MAPPER.createObjectNode();
        results.put("time", Instant.now().toString());
        results.put("mode", mode);
        results.put("commit", git(repo));
        results.set("machine", machine());
        results.put("rounds", rounds);

        try (Processes procs = new Processes();
             MockUpstream mock = MockUpstream.start(0, MockUpstream.Options.latency(0));
             LoadDriver driver = new LoadDriver()) {
            List<Target> targets = new ArrayList<>();
            targets.add(new Target("direct", URI.create(mock.baseUrl() + "/chat/completions"), "model-x",
                    Map.of("authorization", "Bearer " + UP_KEY), null));
            targets.add(startSwitchboard(procs, repo, mock, out));
            ObjectNode pk = results.putObject("portkey");
            if (full && portkey) {
                try {
                    targets.add(startPortkey(procs, repo, mock, out));
                    pk.put("available", true);
                    pk.put("version", portkeyVersion(repo));
                } catch (Exception e) {
                    pk.put("available", false);
                    pk.put("reason", String.valueOf(e.getMessage()));
                    System.err.println("Portkey is not part of this run: " + e.getMessage());
                }
            } else {
                pk.put("available", false);
                pk.put("reason", full ? "--no-portkey" : mode + " mode compares direct and Switchboard only");
            }
            ArrayNode names = results.putArray("targets");
            targets.forEach(t -> names.add(t.name()));

            // JIT warm-up of every target, and as many Switchboard execution environments as the largest level needs
            int maxC = full ? 32 : 8;
            log("warm-up (" + targets.size() + " targets, concurrency " + maxC + ")");
            mock.options(MockUpstream.Options.latency(0));
            driver.run(targets, Scenario.of(0, 200, false, 1, 1).body(), maxC, full ? 150 : 100,
                    Duration.ofSeconds(30));

            if (stream) {
                StreamMode.run(driver, mock, targets.get(0), targets.get(1), rounds, results);
            } else {
                ObjectNode cells = results.putObject("cells");
                for (Scenario s : scenarios(full)) {
                    cells.set(s.name(), measure(driver, mock, targets, s, rounds));
                }
            }
            ObjectNode rss = results.putObject("rss_bytes");
            for (Target t : targets) {
                if (t.process() != null) {
                    rss.put(t.name(), Processes.rss(t.process()));
                }
            }
        }
        if (full) {
            log("cache paths (in-process handler, redis-server on loopback)");
            Percentiles[] c = CacheBench.measure(5_000);
            ObjectNode cache = results.putObject("cache");
            cache.set("l1_hit", Json.MAPPER.readTree(c[0].json()));
            cache.set("l2_hit", Json.MAPPER.readTree(c[1].json()));
            cache.set("redis_get", Json.MAPPER.readTree(c[2].json()));
        }
        results.put("duration_s", Math.round((System.nanoTime() - started) / 1e8) / 10.0);

        Files.createDirectories(out);
        Path json = out.resolve(mode + "-latest.json");
        Files.writeString(json, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(results) + "\n");
        System.out.print(Report.text(results));
        if (stream) {
            System.out.print(StreamMode.table(results));
            System.out.println("results: " + json);
        } else {
            Path svg = out.resolve(mode + "-latency.svg");
            Files.writeString(svg, Chart.svg(results));
            System.out.println("results: " + json + "\nchart:   " + svg);
        }
        if (history != null) {
            Files.writeString(history, Json.MAPPER.writeValueAsString(Report.historyLine(results)) + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            System.out.println("history: appended to " + history);
        }
        if (recordBaseline) {
            Files.writeString(baseline, Json.MAPPER.writerWithDefaultPrettyPrinter()
                    .writeValueAsString(Gate.baseline(results)) + "\n");
            System.out.println("baseline: recorded in " + baseline);
        }
        if (stream && !results.path("stream_verdict").path("pass").asBoolean()) {
            System.exit(1);
        }
        if (gate) {
            Gate.Verdict v = Gate.judge(results, Json.MAPPER.readTree(Files.readString(baseline)));
            System.out.print(v.report());
            if (!v.pass()) {
                System.exit(1);
            }
        }
    }

    static List<Scenario> scenarios(boolean full) {
        List<Scenario> s = new ArrayList<>();
        if (!full) {
            for (int c : GATE_CONCURRENCY) {
                s.add(Scenario.of(0, 200, false, c, c == 1 ? 1000 : 2400));
            }
            return s;
        }
        for (int latency : new int[] {0, 20}) {
            for (int prompt : new int[] {200, 10_000}) {
                for (int c : new int[] {1, 8, 32}) {
                    int perTarget = latency == 0 ? (c == 1 ? 600 : 1600) : (c == 1 ? 120 : c * 40);
                    s.add(Scenario.of(latency, prompt, false, c, perTarget));
                }
            }
        }
        for (int c : new int[] {1, 8, 32}) {
            s.add(Scenario.of(20, 200, true, c, c == 1 ? 60 : c * 20));
        }
        return s;
    }

    /** Rounds of one cell: per target pooled percentiles, added latency, throughput; per round the gate ratio. */
    static ObjectNode measure(LoadDriver driver, MockUpstream mock, List<Target> targets, Scenario s, int rounds)
            throws InterruptedException {
        log(s.name() + ": " + rounds + " rounds x " + s.perThread() * s.concurrency() + " requests per target");
        mock.options(s.mock());
        String body = s.body();
        Duration timeout = Duration.ofSeconds(30);
        driver.run(targets, body, s.concurrency(), Math.max(2, s.perThread() / 5), timeout); // warm-up
        int n = targets.size();
        List<List<long[]>> totals = new ArrayList<>();
        List<List<long[]>> firsts = new ArrayList<>();
        List<List<long[]>> events = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            totals.add(new ArrayList<>());
            firsts.add(new ArrayList<>());
            events.add(new ArrayList<>());
        }
        ObjectNode cell = Json.MAPPER.createObjectNode();
        cell.put("latency_ms", s.mock().latencyMs());
        cell.put("prompt_bytes", body.length());
        cell.put("stream", s.stream());
        cell.put("concurrency", s.concurrency());
        ArrayNode roundRatios = cell.putArray("round_overhead_ratio");
        for (int r = 0; r < rounds; r++) {
            LoadDriver.Round round = driver.run(targets, body, s.concurrency(), s.perThread(), timeout);
            for (int t = 0; t < n; t++) {
                totals.get(t).add(round.total().get(t));
                firsts.get(t).add(round.firstByte().get(t));
                events.get(t).add(round.firstEvent().get(t));
            }
            // the gate's ratio: Switchboard's added p50 over the direct p50 of the same round
            long d = Percentiles.of(round.total().get(0)).p50();
            long sw = Percentiles.of(round.total().get(1)).p50();
            roundRatios.add(round3((double) (sw - d) / d));
        }
        ObjectNode per = cell.putObject("targets");
        Percentiles direct = null;
        Percentiles directFirst = null;
        for (int t = 0; t < n; t++) {
            Percentiles p = Percentiles.of(concat(totals.get(t)));
            Percentiles f = Percentiles.of(concat(firsts.get(t)));
            Percentiles e = Percentiles.of(concat(events.get(t)));
            ObjectNode o = per.putObject(targets.get(t).name());
            o.set("latency", tree(p.json()));
            o.set("distribution_us", distribution(concat(totals.get(t))));
            if (s.stream()) {
                o.set("first_byte", tree(f.json()));
                o.set("first_event", tree(e.json()));
            }
            // closed loop: concurrency / mean latency (Little's law)
            o.put("throughput_rps", Math.round(s.concurrency() / (p.mean() / 1e9)));
            if (t == 0) {
                direct = p;
                directFirst = e;
            } else {
                o.put("added_p50_us", round3((p.p50() - direct.p50()) / 1e3));
                o.put("added_p99_us", round3((p.p99() - direct.p99()) / 1e3));
                if (s.stream()) {
                    o.put("added_first_event_p50_us", round3((e.p50() - directFirst.p50()) / 1e3));
                    o.put("added_first_event_p99_us", round3((e.p99() - directFirst.p99()) / 1e3));
                }
            }
        }
        double[] ratios = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            ratios[r] = roundRatios.get(r).asDouble();
        }
        double med = median(ratios);
        cell.put("overhead_ratio", round3(med));
        cell.put("overhead_ratio_noise", round3(med == 0 ? 0 : (max(ratios) - min(ratios)) / Math.abs(med)));
        return cell;
    }

    private static Target startSwitchboard(Processes procs, Path repo, MockUpstream mock, Path out) throws Exception {
        return startSwitchboard(procs, repo, mock, out, Map.of());
    }

    /**
     * Starts the local run as every mode does, with {@code overrides} put over the variables the harness sets (a null
     * value drops one of those).
     */
    static Target startSwitchboard(Processes procs, Path repo, MockUpstream mock, Path out,
            Map<String, String> overrides) throws Exception {
        Path jar = repo.resolve("local/target/switchboard-local.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build with mvn -DskipTests -pl bench -am package");
        }
        int port = Processes.freePort();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SWITCHBOARD_CONFIG", "{\"providers\":{\"up\":{\"type\":\"openai\",\"baseUrl\":\"" + mock.baseUrl()
                + "\",\"apiKey\":\"env:UP_KEY\"}},\"models\":{\"m\":\"up/model-x\"}}");
        env.put("UP_KEY", UP_KEY);
        env.put("SWITCHBOARD_CACHE", "off");
        env.put("SWITCHBOARD_METRICS", "emf"); // the deployed default; its stdout goes to the log file
        env.put("SWITCHBOARD_API_KEYS", "");
        // The request path, not the emulated stack's background work: no event bus, no schedules (discovery would
        // poll the mock). DynamoDB Local in memory rather than off: with it off the catalog table's name still
        // resolves, and each environment's catalog refresh (every 5 s) waited out its 1 s timeout against the real
        // DynamoDB endpoint on the request path (+1 s on ~1 % of requests).
        env.put("SWITCHBOARD_LOCAL_DYNAMODB", "memory");
        env.put("SWITCHBOARD_LOCAL_BUS", "off");
        env.put("SWITCHBOARD_LOCAL_SCHEDULES", "off");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("AWS_EMF_ENVIRONMENT", "Local");
        env.put("AWS_REGION", "us-east-1");
        overrides.forEach((k, v) -> {
            if (v == null) {
                env.remove(k);
            } else {
                env.put(k, v);
            }
        });
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the JVM options of local/run.sh (local/jvm.options: full tiered compilation as Lambda runs java25 functions
        // with SnapStart, the Serial collector and a small heap)
        List<String> cmd = new ArrayList<>(List.of(java));
        try {
            for (String line : Files.readAllLines(repo.resolve("local/jvm.options"))) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    cmd.add(line.trim());
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("local/jvm.options", e);
        }
        // extra JVM options for the gateway only, e.g. a JFR recording to profile it under the harness's load
        String opts = System.getenv().getOrDefault("BENCH_SWITCHBOARD_JVM_OPTS", "").trim();
        if (!opts.isEmpty()) {
            cmd.addAll(List.of(opts.split("\\s+")));
        }
        // every concurrency level of the harness (up to 32) without 429s: the HTTP API's completion function, and the
        // streaming function (REST API, Lambda Web Adapter) that now serves every POST /v1/chat/completions locally.
        // The latter holds its environment until the handler returns, after the caller already has the last byte
        // (metrics, the hand-back to the pool), so a closed loop's next request can find it still busy: at c32 with a
        // 0 ms upstream on a loaded 2-CPU machine 64 environments were not enough (429), hence twice that.
        cmd.addAll(List.of("-jar", jar.toString(), "--port", Integer.toString(port), "--param",
                "CompletionReservedConcurrency=64", "--param", "CompletionStreamReservedConcurrency=128"));
        Process p = procs.start(cmd, repo, env,
                out.resolve("logs/switchboard.log"));
        Processes.awaitHttp(p, URI.create("http://127.0.0.1:" + port + "/v1/models"), s -> true,
                Duration.ofSeconds(60), "Switchboard's local run");
        return new Target("switchboard", URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"), "m",
                Map.of("authorization", "Bearer " + DEV_KEY), p);
    }

    private static Target startPortkey(Processes procs, Path repo, MockUpstream mock, Path out) throws Exception {
        Path server = repo.resolve("bench/portkey/node_modules/@portkey-ai/gateway/build/start-server.js");
        if (!Files.isRegularFile(server)) {
            throw new IllegalStateException("not installed (" + server + " missing; bench/run.sh --full runs npm ci)");
        }
        int port = Processes.freePort();
        Process p = procs.start(List.of("node", server.toString(), "--port=" + port, "--headless"),
                repo.resolve("bench/portkey"), Map.of("NODE_ENV", "production"), out.resolve("logs/portkey.log"));
        Processes.awaitHttp(p, URI.create("http://127.0.0.1:" + port + "/"), s -> true, Duration.ofSeconds(60),
                "Portkey");
        return new Target("portkey", URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"), "model-x",
                Map.of("authorization", "Bearer " + UP_KEY, "x-portkey-provider", "openai",
                        "x-portkey-custom-host", mock.baseUrl()), p);
    }

    private static String portkeyVersion(Path repo) {
        try {
            return Json.MAPPER.readTree(Files.readString(repo.resolve(
                    "bench/portkey/node_modules/@portkey-ai/gateway/package.json"))).path("version").asText();
        } catch (IOException e) {
            return "unknown";
        }
    }

    static ObjectNode machine() {
        ObjectNode m = Json.MAPPER.createObjectNode();
        m.put("cpu", firstMatch("/proc/cpuinfo", "model name"));
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        String mem = firstMatch("/proc/meminfo", "MemTotal");
        m.put("memory", mem);
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("jdk", Runtime.version().toString());
        m.put("node", command("node", "--version"));
        return m;
    }

    private static String firstMatch(String file, String prefix) {
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                if (line.startsWith(prefix)) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            return "unknown";
        }
        return "unknown";
    }

    /** The short commit of {@code repo}, with {@code +dirty} when tracked files changed. */
    static String gitCommit(Path repo) {
        return git(repo);
    }

    private static String git(Path repo) {
        String c = command("git", "-C", repo.toString(), "rev-parse", "--short", "HEAD");
        String dirty = command("git", "-C", repo.toString(), "status", "--porcelain", "--untracked-files=no");
        return dirty.isEmpty() ? c : c + "+dirty";
    }

    private static String command(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 ? s : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    static void log(String s) {
        System.err.println("[bench] " + s);
    }

    static JsonNode tree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Percentiles 1, 5, 10, 25, 50, 75, 90, 95, 99 in microseconds (the chart's box plots). */
    static ArrayNode distribution(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (double q : QUANTILES) {
            int i = (int) Math.ceil(q * s.length) - 1;
            a.add(round3(s[Math.max(0, Math.min(s.length - 1, i))] / 1e3));
        }
        return a;
    }

    static final double[] QUANTILES = {0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99};

    private static long[] concat(List<long[]> parts) {
        return parts.stream().flatMapToLong(Arrays::stream).toArray();
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(0);
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(0);
    }

    static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    static String fmt(String f, Object... a) {
        return String.format(Locale.ROOT, f, a);
    }
}
