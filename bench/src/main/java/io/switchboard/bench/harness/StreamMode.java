package io.switchboard.bench.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.bench.Percentiles;
import io.switchboard.shared.json.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The focused streaming run ({@code bench/run.sh --stream}): the streaming issue's benchmark. Upstream 20 ms before
 * its first byte, then 8 content chunks 5 ms apart (1 KB); at concurrency 1 and 8, four kinds of request are
 * interleaved in one rotation by the same driver threads: a stream direct, the same stream through Switchboard, the
 * same answer non-streaming direct and through Switchboard. Rounds alternate the concurrencies (1 8, 8 1, …) so drift
 * of the machine reaches every cell.
 *
 * <p>Measured per request: time to the first byte of the body, time to the end of the first {@code data:} event (the
 * "TTFB" judged here: the first thing an SSE client can show) and time to the last byte. Added = Switchboard's
 * percentile minus the direct one, pooled over the rounds; each round's added p50 is kept too, to show the noise.
 *
 * <p>Targets (the "Done when"): first-event added p50 at most {@value #TTFB_C1_US} µs at concurrency 1 and
 * {@value #TTFB_C8_US} µs at concurrency 8; whole-stream added p50 at most the non-streaming added p50 of the same
 * concurrency plus {@value #WHOLE_MARGIN_US} µs.
 */
final class StreamMode {
    static final int UPSTREAM_MS = 20;
    static final int CHUNKS = 8;
    static final int CHUNK_INTERVAL_MS = 5;
    static final int RESPONSE_BYTES = 1024;
    static final int[] CONCURRENCY = {1, 8};
    static final long TTFB_C1_US = 1_000;
    static final long TTFB_C8_US = 3_000;
    static final long WHOLE_MARGIN_US = 1_000;

    private StreamMode() {
    }

    /** The mock for every cell of this mode: non-streaming requests get the same 1 KB answer whole. */
    static MockUpstream.Options mock() {
        return new MockUpstream.Options(UPSTREAM_MS, RESPONSE_BYTES, CHUNKS, CHUNK_INTERVAL_MS);
    }

    /** Requests per driver thread per lane per round. */
    static int perThread(int concurrency) {
        return concurrency == 1 ? 60 : 30;
    }

    /** Warms the four lanes up, then measures {@code rounds} rounds at each concurrency into {@code results}. */
    static void run(LoadDriver driver, MockUpstream mock, Target direct, Target switchboard, int rounds,
            ObjectNode results) throws InterruptedException {
        mock.options(mock());
        String stream = Scenario.of(UPSTREAM_MS, 200, true, 1, 1).body();
        String plain = Scenario.of(UPSTREAM_MS, 200, false, 1, 1).body();
        List<Target> lanes = List.of(direct, switchboard, direct, switchboard);
        List<String> bodies = List.of(stream, stream, plain, plain);
        Duration timeout = Duration.ofSeconds(30);
        ObjectNode setup = results.putObject("stream_setup");
        setup.put("upstream_ms", UPSTREAM_MS);
        setup.put("chunks", CHUNKS);
        setup.put("chunk_interval_ms", CHUNK_INTERVAL_MS);
        setup.put("response_bytes", RESPONSE_BYTES);
        setup.put("ttfb", "end of the first data: event (first_event); first_byte is the first body byte");
        Harness.log("stream warm-up (4 interleaved lanes at concurrency 8, then 1)");
        driver.run(lanes, bodies, 8, 12, timeout);
        driver.run(lanes, bodies, 1, 20, timeout);

        int n = lanes.size();
        List<List<LoadDriver.Round>> byC = new ArrayList<>();
        for (int i = 0; i < CONCURRENCY.length; i++) {
            byC.add(new ArrayList<>());
        }
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < CONCURRENCY.length; k++) {
                int ci = (k + r) % CONCURRENCY.length;
                int c = CONCURRENCY[ci];
                Harness.log(Harness.fmt("round %d/%d, concurrency %d: %d requests per lane", r + 1, rounds, c,
                        c * perThread(c)));
                byC.get(ci).add(driver.run(lanes, bodies, c, perThread(c), timeout));
            }
        }
        ObjectNode cells = results.putObject("cells");
        ObjectNode verdicts = results.putObject("stream_verdict");
        boolean pass = true;
        for (int ci = 0; ci < CONCURRENCY.length; ci++) {
            int c = CONCURRENCY[ci];
            List<LoadDriver.Round> rs = byC.get(ci);
            ObjectNode s = cell(rs, 0, 1, true, c, stream.length(), direct, switchboard);
            ObjectNode p = cell(rs, 2, 3, false, c, plain.length(), direct, switchboard);
            cells.set(UPSTREAM_MS + "ms-stream-c" + c, s);
            cells.set(UPSTREAM_MS + "ms-small-c" + c, p);
            ObjectNode v = verdicts.putObject("c" + c);
            JsonNode sw = s.path("targets").path(switchboard.name());
            double ttfb = sw.path("added_first_event_p50_us").asDouble();
            double whole = sw.path("added_p50_us").asDouble();
            double plainAdded = p.path("targets").path(switchboard.name()).path("added_p50_us").asDouble();
            v.put("ttfb_added_p50_us", ttfb);
            v.put("ttfb_added_p99_us", sw.path("added_first_event_p99_us").asDouble());
            v.put("ttfb_target_us", ttfbTarget(c));
            v.put("ttfb_pass", ttfbPass(c, ttfb));
            v.put("whole_added_p50_us", whole);
            v.put("nonstream_added_p50_us", plainAdded);
            v.put("whole_target_us", Harness.round3(plainAdded + WHOLE_MARGIN_US));
            v.put("whole_pass", wholePass(whole, plainAdded));
            v.put("pass", ttfbPass(c, ttfb) && wholePass(whole, plainAdded));
            pass &= v.path("pass").asBoolean();
        }
        verdicts.put("pass", pass);
    }

    /** The most first-event latency Switchboard may add at p50 at {@code concurrency}, in µs. */
    static long ttfbTarget(int concurrency) {
        return concurrency <= 1 ? TTFB_C1_US : TTFB_C8_US;
    }

    static boolean ttfbPass(int concurrency, double addedP50Us) {
        return addedP50Us <= ttfbTarget(concurrency);
    }

    /** Whole-stream added p50 no worse than the non-streaming added p50 of the same concurrency + 1 ms. */
    static boolean wholePass(double wholeAddedP50Us, double nonStreamAddedP50Us) {
        return wholeAddedP50Us <= nonStreamAddedP50Us + WHOLE_MARGIN_US;
    }

    /** One cell (stream or not) from lanes {@code d} (direct) and {@code g} (Switchboard) of every round. */
    private static ObjectNode cell(List<LoadDriver.Round> rounds, int d, int g, boolean stream, int concurrency,
            int promptBytes, Target direct, Target switchboard) {
        ObjectNode cell = Json.MAPPER.createObjectNode();
        cell.put("latency_ms", UPSTREAM_MS);
        cell.put("prompt_bytes", promptBytes);
        cell.put("stream", stream);
        cell.put("concurrency", concurrency);
        cell.put("response_bytes", RESPONSE_BYTES);
        if (stream) {
            cell.put("chunks", CHUNKS);
            cell.put("chunk_interval_ms", CHUNK_INTERVAL_MS);
        }
        ArrayNode ratios = cell.putArray("round_overhead_ratio");
        ArrayNode roundAdded = cell.putArray("round_added_p50_us");
        ArrayNode roundTtfb = stream ? cell.putArray("round_added_first_event_p50_us") : null;
        for (LoadDriver.Round r : rounds) {
            long dp = Percentiles.of(r.total().get(d)).p50();
            long gp = Percentiles.of(r.total().get(g)).p50();
            ratios.add(Harness.round3((double) (gp - dp) / dp));
            roundAdded.add(Harness.round3((gp - dp) / 1e3));
            if (stream) {
                roundTtfb.add(Harness.round3((Percentiles.of(r.firstEvent().get(g)).p50()
                        - Percentiles.of(r.firstEvent().get(d)).p50()) / 1e3));
            }
        }
        ObjectNode per = cell.putObject("targets");
        Percentiles[] base = null;
        for (int lane : new int[] {d, g}) {
            long[] total = concat(rounds, lane, 0);
            Percentiles[] p = {Percentiles.of(total), Percentiles.of(concat(rounds, lane, 1)),
                Percentiles.of(concat(rounds, lane, 2))};
            ObjectNode o = per.putObject(lane == d ? direct.name() : switchboard.name());
            o.set("latency", Harness.tree(p[0].json()));
            o.set("distribution_us", Harness.distribution(total));
            o.set("first_byte", Harness.tree(p[1].json()));
            if (stream) {
                o.set("first_event", Harness.tree(p[2].json()));
            }
            o.put("throughput_rps", Math.round(concurrency / (p[0].mean() / 1e9)));
            if (lane == d) {
                base = p;
            } else {
                o.put("added_p50_us", Harness.round3((p[0].p50() - base[0].p50()) / 1e3));
                o.put("added_p99_us", Harness.round3((p[0].p99() - base[0].p99()) / 1e3));
                o.put("added_first_byte_p50_us", Harness.round3((p[1].p50() - base[1].p50()) / 1e3));
                o.put("added_first_byte_p99_us", Harness.round3((p[1].p99() - base[1].p99()) / 1e3));
                if (stream) {
                    o.put("added_first_event_p50_us", Harness.round3((p[2].p50() - base[2].p50()) / 1e3));
                    o.put("added_first_event_p99_us", Harness.round3((p[2].p99() - base[2].p99()) / 1e3));
                }
            }
        }
        double[] r = new double[ratios.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = ratios.get(i).asDouble();
        }
        double med = Harness.median(r);
        cell.put("overhead_ratio", Harness.round3(med));
        cell.put("overhead_ratio_noise", Harness.round3(med == 0 ? 0
                : (Arrays.stream(r).max().orElse(0) - Arrays.stream(r).min().orElse(0)) / Math.abs(med)));
        return cell;
    }

    /** Samples of one lane over all rounds: {@code what} 0 total, 1 first byte, 2 first event. */
    private static long[] concat(List<LoadDriver.Round> rounds, int lane, int what) {
        return rounds.stream().map(r -> (what == 0 ? r.total() : what == 1 ? r.firstByte() : r.firstEvent())
                .get(lane)).flatMapToLong(Arrays::stream).toArray();
    }

    /** The table: per concurrency, TTFB and whole-stream p50s, added latency, verdict. Milliseconds. */
    static String table(JsonNode r) {
        StringBuilder sb = new StringBuilder();
        JsonNode setup = r.path("stream_setup");
        sb.append(Harness.fmt("%nStreaming: upstream %d ms, %d chunks %d ms apart, %d rounds (ms; TTFB = end of the "
                + "first data: event; added = Switchboard - direct, pooled p50/p99)%n",
                setup.path("upstream_ms").asInt(), setup.path("chunks").asInt(),
                setup.path("chunk_interval_ms").asInt(), r.path("rounds").asInt()));
        sb.append(Harness.fmt("%-4s %8s %8s %15s %14s %8s %8s %9s %11s %14s  %s%n", "c", "TTFB dir", "TTFB SB",
                "TTFB +p50/+p99", "+p50 rounds", "all dir", "all SB", "all +p50", "non-str +50", "first byte +50",
                "verdict"));
        for (int c : CONCURRENCY) {
            JsonNode s = r.path("cells").path(UPSTREAM_MS + "ms-stream-c" + c);
            JsonNode d = s.path("targets").path("direct");
            JsonNode g = s.path("targets").path("switchboard");
            JsonNode v = r.path("stream_verdict").path("c" + c);
            double[] rounds = doubles(s.path("round_added_first_event_p50_us"));
            sb.append(Harness.fmt("%-4s %8.2f %8.2f %7.2f/%-7.2f %6.2f..%-6.2f %8.2f %8.2f %9.2f %11.2f %14.2f  %s%n",
                    "c" + c, ms(d.path("first_event").path("p50_us")), ms(g.path("first_event").path("p50_us")),
                    ms(g.path("added_first_event_p50_us")), ms(g.path("added_first_event_p99_us")),
                    min(rounds) / 1e3, max(rounds) / 1e3,
                    ms(d.path("latency").path("p50_us")), ms(g.path("latency").path("p50_us")),
                    ms(g.path("added_p50_us")), ms(v.path("nonstream_added_p50_us")),
                    ms(g.path("added_first_byte_p50_us")),
                    verdict(v, c)));
        }
        sb.append(Harness.fmt("streaming targets: %s%n", r.path("stream_verdict").path("pass").asBoolean()
                ? "PASS" : "FAIL"));
        return sb.toString();
    }

    private static String verdict(JsonNode v, int c) {
        return Harness.fmt("TTFB %s (<= %.0f ms), whole %s (<= non-stream %+.2f ms)",
                v.path("ttfb_pass").asBoolean() ? "PASS" : "FAIL", v.path("ttfb_target_us").asDouble() / 1e3,
                v.path("whole_pass").asBoolean() ? "PASS" : "FAIL", WHOLE_MARGIN_US / 1e3);
    }

    private static double ms(JsonNode us) {
        return us.asDouble() / 1e3;
    }

    private static double[] doubles(JsonNode a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asDouble();
        }
        return v;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(0);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(0);
    }
}
