package io.switchboard.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.shared.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The soak run's judgement on synthetic samples (no process, no clock): the slope, the verdict of a flat, a noisy and
 * a leaking series, the readings of {@code jcmd} and {@code /proc}, and the check of each answer.
 */
class SoakAnalysisTest {
    private static final SoakAnalysis.Metric HEAP = SoakAnalysis.METRICS.get(0);
    private static final SoakAnalysis.Metric THREADS = SoakAnalysis.METRICS.get(2);

    /** Samples every 10 s over {@code minutes}: {@code base + perHour * t + noise}. */
    private static double[][] series(int minutes, double base, double perHour, double noise, long seed) {
        Random r = new Random(seed);
        int n = minutes * 6 + 1;
        double[] t = new double[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = i * 10;
            v[i] = base + perHour * t[i] / 3600 + (r.nextDouble() * 2 - 1) * noise;
        }
        return new double[][] {t, v};
    }

    @Test
    void fitRecoversAnExactLine() {
        double[][] s = series(30, 100, 36, 0, 1);
        SoakAnalysis.Fit f = SoakAnalysis.fit(s[0], s[1]);
        assertEquals(36, f.slopePerHour(), 1e-9);
        assertEquals(100, f.intercept(), 1e-9);
        assertEquals(0, f.slopeStdErrPerHour(), 1e-9);
        assertEquals(1800, f.spanSeconds(), 1e-9);
        assertEquals(18, f.rise(), 1e-9);
    }

    @Test
    void flatHeapWithinTheNoiseFloorPasses_shortAndLong() {
        for (int minutes : new int[] {2, 30}) {
            for (long seed = 0; seed < 50; seed++) {
                // +-1 MiB of scatter around a flat live set: the short run's per-hour slope can be large, its rise not
                double[][] s = series(minutes, 30 * SoakAnalysis.MIB, 0, SoakAnalysis.MIB, seed);
                SoakAnalysis.Judgement j = SoakAnalysis.judge(HEAP, s[0], s[1], minutes * 30.0);
                assertTrue(j.pass(), minutes + " min, seed " + seed + ": " + j.reason());
            }
        }
    }

    @Test
    void heapLeakingOverTheLimitFailsTheLongRun() {
        // 12 MiB/h: 3 MiB over the 15-minute second half, over both the slope limit and the floor
        double[][] s = series(30, 30 * SoakAnalysis.MIB, 12 * SoakAnalysis.MIB, 0.3 * SoakAnalysis.MIB, 7);
        SoakAnalysis.Judgement j = SoakAnalysis.judge(HEAP, s[0], s[1], 900);
        assertFalse(j.pass());
        assertTrue(j.reason().startsWith("heap_after_gc grows"), j.reason());
    }

    @Test
    void grossLeakFailsEvenTheTwoMinuteRun() {
        // 1 KiB per request at 40 req/s: ~141 MiB/h, 2.3 MiB in the last minute
        double perHour = 1024.0 * 40 * 3600;
        double[][] s = series(2, 30 * SoakAnalysis.MIB, perHour, 0.2 * SoakAnalysis.MIB, 3);
        assertFalse(SoakAnalysis.judge(HEAP, s[0], s[1], 60).pass());
    }

    @Test
    void slowLeakBelowTheFloorPassesAShortRun_andThatIsDocumented() {
        // 12 MiB/h is 0.2 MiB in one minute: under the 2 MiB floor, so a 2-minute run cannot tell it from noise
        double[][] s = series(2, 30 * SoakAnalysis.MIB, 12 * SoakAnalysis.MIB, 0, 3);
        assertTrue(SoakAnalysis.judge(HEAP, s[0], s[1], 60).pass());
    }

    @Test
    void aThreadPerMinuteFailsTheLongRun_aSteadyCountPasses() {
        double[][] leak = series(30, 60, 60, 0, 1);
        assertFalse(SoakAnalysis.judge(THREADS, leak[0], leak[1], 900).pass());
        double[][] flat = series(30, 60, 0, 2, 1);
        assertTrue(SoakAnalysis.judge(THREADS, flat[0], flat[1], 900).pass());
    }

    @Test
    void aSlopeWithinItsStandardErrorsIsScatter_aSteadyOneOverTheLimitIsNot() {
        // two outliers at the end make a steep but insignificant slope: heap +3 MiB for the last two samples only
        double[][] s = series(30, 30 * SoakAnalysis.MIB, 0, 1.5 * SoakAnalysis.MIB, 5);
        s[1][s[1].length - 1] += 3 * SoakAnalysis.MIB;
        s[1][s[1].length - 2] += 3 * SoakAnalysis.MIB;
        SoakAnalysis.Judgement j = SoakAnalysis.judge(HEAP, s[0], s[1], 900);
        assertTrue(j.fit().slopePerHour() < 3 * j.fit().slopeStdErrPerHour(), j.fit().toString());
        assertTrue(j.pass(), j.reason());
        // a steady 8 MiB/h under the same scatter: 2 MiB over the half, significant, over the limit
        double[][] leak = series(60, 30 * SoakAnalysis.MIB, 8 * SoakAnalysis.MIB, 0.5 * SoakAnalysis.MIB, 5);
        assertFalse(SoakAnalysis.judge(HEAP, leak[0], leak[1], 1800).pass());
    }

    @Test
    void onlyTheSecondHalfIsJudged() {
        // growth while caches fill (first half), flat after: passes
        double[][] s = series(30, 0, 0, 0, 1);
        for (int i = 0; i < s[0].length; i++) {
            s[1][i] = 20 * SoakAnalysis.MIB + Math.min(s[0][i], 600) * SoakAnalysis.MIB / 60;
        }
        assertTrue(SoakAnalysis.judge(HEAP, s[0], s[1], 900).pass());
        assertFalse(SoakAnalysis.judge(HEAP, s[0], s[1], 0).pass(), "the same series judged whole grows");
    }

    @Test
    void unreadSamplesAreLeftOut_tooFewFail() {
        double[] t = {900, 910, 920, 930};
        double[] v = {-1, -1, 5, 5};
        SoakAnalysis.Judgement j = SoakAnalysis.judge(HEAP, t, v, 900);
        assertFalse(j.pass());
        assertNull(j.fit());
        assertTrue(j.reason().contains("only 2 samples"), j.reason());
    }

    @Test
    void loadProblems_errorsLagNoHitsAndADeadGateway() {
        ObjectNode ok = Json.MAPPER.createObjectNode();
        long warm = 9000;
        ok.put("warm_up", warm);
        ok.put("sent", 2 * 60 * 40 + warm);
        ok.put("errors", 0);
        ok.putObject("cache").put("HIT-L1", 100).put("HIT-L2", 5).put("MISS", 200);
        assertEquals(List.of(), SoakMode.loadProblems(ok, 2, 40, true));
        assertEquals(1, SoakMode.loadProblems(ok, 2, 40, false).size());
        ObjectNode bad = ok.deepCopy();
        bad.put("errors", 1);
        bad.putObject("errors_by_kind").put("stream", 1);
        assertTrue(SoakMode.loadProblems(bad, 2, 40, true).get(0).startsWith("1 requests failed"));
        ObjectNode slow = ok.deepCopy();
        slow.put("sent", warm + 1000);
        assertTrue(SoakMode.loadProblems(slow, 2, 40, true).get(0).startsWith("the load fell behind"));
        ObjectNode noHits = ok.deepCopy();
        noHits.putObject("cache").put("MISS", 4000);
        assertTrue(SoakMode.loadProblems(noHits, 2, 40, true).get(0).contains("cache was not exercised"));
    }

    @Test
    void readsTheLiveHeapFromTheClassHistogram_fillersLeftOut_andMetaspace() {
        String out = """
                21057:
                 num     #instances         #bytes  class name (module)
                -------------------------------------------------------
                   1:         73258       18344736  [B (java.base@25.0.3)
                   2:          1433        3190808  [C (java.base@25.0.3)
                   5:          1930        1522856  [Ljdk.internal.vm.FillerElement; (java.base@25.0.3)
                   6:            10            240  io.switchboard.core.governance.SpendTotals
                Total        514161       23058640
                Metaspace        used 9274K, committed 9472K, reserved 1114112K
                 class space     used 1126K, committed 1216K, reserved 1048576K
                """;
        var classes = ProcessProbe.histogram(out);
        assertEquals(4, classes.size());
        assertEquals(18344736L + 3190808L + 240L, ProcessProbe.liveBytes(classes));
        assertEquals(9274 * 1024L, ProcessProbe.metaspaceUsed(out));
        assertEquals(-1, ProcessProbe.liveBytes(ProcessProbe.histogram("21057:\nno such command\n")));
        assertEquals(-1, ProcessProbe.metaspaceUsed(""));
        var grown = SoakMode.grown(java.util.Map.of("[B", 100L, "[C", 50L), java.util.Map.of("[B", 400L, "[C", 10L,
                "x.Y", 20L, ProcessProbe.FILLER, 9999L), 10);
        assertEquals(2, grown.size());
        assertEquals("[B", grown.get(0).path("class").asText());
        assertEquals(300, grown.get(0).path("grew_bytes").asLong());
        assertEquals("x.Y", grown.get(1).path("class").asText());
    }

    @Test
    void threadNamesAreGroupedWithDigitsFolded() {
        String dump = "12:\n\"env-CompletionStreamFunction-3\" #41 daemon prio=5\n   java.lang.Thread.State: WAITING\n"
                + "\"env-CompletionStreamFunction-17\" #90 daemon\n\"sdk-ScheduledExecutor-2-0\" #12\n\"VM Thread\" os_prio=0\n";
        assertEquals(java.util.Map.of("env-CompletionStreamFunction-N", 2, "sdk-ScheduledExecutor-N-N", 1, "VM Thread",
                1), ProcessProbe.threadGroups(dump));
        assertEquals(5, ProcessProbe.median(new long[] {9, 1, 5, 7, 2}));
        assertEquals(-1, ProcessProbe.median(new long[] {9, -1, 5, 7, 2}));
    }

    @Test
    void readsProcStatus() {
        List<String> status = List.of("Name:\tjava", "VmRSS:\t  194560 kB", "Threads:\t57");
        assertEquals(194560 * 1024L, ProcessProbe.statusField(status, "VmRSS:"));
        assertEquals(57, ProcessProbe.statusField(status, "Threads:"));
        assertEquals(-1, ProcessProbe.statusField(status, "VmSwap:"));
        long self = ProcessHandle.current().pid();
        assertTrue(ProcessProbe.fds(self) > 0);
        assertTrue(ProcessProbe.nonSocketFds(self) > 0 && ProcessProbe.nonSocketFds(self) <= ProcessProbe.fds(self));
        assertTrue(ProcessProbe.rss(self) > 0);
        assertTrue(ProcessProbe.status(self, "Threads:") > 0);
    }

    @Test
    void answersAreCheckedWhole() {
        String content = MockUpstream.content(64);
        byte[] whole = MockUpstream.completion(64).getBytes(StandardCharsets.UTF_8);
        assertNull(SoakLoad.check(false, 200, "application/json", whole, content));
        assertTrue(SoakLoad.check(false, 500, "application/json", whole, content).startsWith("status: 500"));
        assertTrue(SoakLoad.check(false, 200, "text/plain", whole, content).startsWith("content-type"));
        assertTrue(SoakLoad.check(false, 200, "application/json", "{}".getBytes(StandardCharsets.UTF_8), content)
                .startsWith("body: not a chat.completion"));
        assertNotNull(SoakLoad.check(false, 200, "application/json", MockUpstream.completion(63)
                .getBytes(StandardCharsets.UTF_8), content));

        String half1 = content.substring(0, 30);
        String half2 = content.substring(30);
        String stream = ": keep-alive\n\n" + event(half1) + event(half2) + "data: [DONE]\n\n";
        assertNull(SoakLoad.check(true, 200, "text/event-stream", bytes(stream), content));
        assertNull(SoakLoad.check(true, 200, "text/event-stream; charset=utf-8", bytes(stream.replace("\n", "\r\n")),
                content));
        assertEquals("stream: ended without [DONE]", SoakLoad.check(true, 200, "text/event-stream",
                bytes(event(half1) + event(half2)), content));
        assertTrue(SoakLoad.check(true, 200, "text/event-stream", bytes(event(half1) + "data: [DONE]\n\n"), content)
                .startsWith("stream: content of 30 chars"));
        assertTrue(SoakLoad.check(true, 200, "text/event-stream", bytes(event(half1)
                + "data: {\"error\":{\"code\":\"stream_truncated\"}}\n\n"), content).contains("stream_truncated"));
        assertEquals("stream: an event that is not JSON", SoakLoad.check(true, 200, "text/event-stream",
                bytes("data: {\"choi\n\ndata: [DONE]\n\n"), content));
        assertEquals("stream: data after [DONE]", SoakLoad.check(true, 200, "text/event-stream",
                bytes(stream + event("x")), content));
        assertTrue(SoakLoad.check(true, 200, "application/json", bytes(stream), content).startsWith("content-type"));
    }

    private static String event(String content) {
        return "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
                + content + "\"}}]}\n\n";
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void lanesMixStreamsAndRepeatedPrompts() {
        Target t = new Target("switchboard", java.net.URI.create("http://127.0.0.1:1/v1/chat/completions"), "m",
                java.util.Map.of(), null);
        try (SoakLoad load = new SoakLoad(t, "x", "run")) {
            assertTrue(load.body(0).contains("\"stream\":false") && load.body(1).contains("\"stream\":true"));
            assertEquals(load.body(0).replace("false", ""), load.body(0 + 4 * SoakLoad.REPEATED_PROMPTS)
                    .replace("false", ""), "a repeated prompt comes back");
            assertTrue(load.body(2).contains("run-2") && load.body(3).contains("run-3"), "unique prompts");
            assertTrue(load.body(5).contains("\"temperature\":0"));
        }
    }
}
