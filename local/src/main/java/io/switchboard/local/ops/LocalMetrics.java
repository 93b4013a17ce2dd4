package io.switchboard.local.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The local run's own metrics, as CloudWatch would hold them: every EMF document a function writes (read from the
 * functions' stdout by {@link #tapStdout(boolean)}, as Lambda's log pipeline reads it) becomes data points — one per
 * metric, value and dimension set of the document, at the document's timestamp — kept for {@link #RETENTION_MILLIS}.
 * The local run adds what AWS itself would measure ({@link #add}: Lambda throttles). Thread-safe.
 */
public final class LocalMetrics {
    /** How long points are kept. */
    public static final long RETENTION_MILLIS = 30 * 60_000L;
    private static final int MAX_POINTS = 400_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One data point.
     *
     * @param namespace the metric's namespace
     * @param name the metric's name
     * @param dimensions its dimensions (exactly the document's dimension set)
     * @param value the value
     * @param epochMillis when
     */
    public record Point(String namespace, String name, Map<String, String> dimensions, double value,
            long epochMillis) {
    }

    private final InstantSource clock;
    private final Deque<Point> points = new ArrayDeque<>();
    private long documents;

    /** An empty store; {@code clock} decides what is old. */
    public LocalMetrics(InstantSource clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Adds the points of one EMF document (a line a function wrote); anything else is ignored. */
    public void acceptLine(String line) {
        try {
            JsonNode doc = JSON.readTree(line);
            JsonNode aws = doc.path("_aws");
            long ts = aws.path("Timestamp").asLong(clock.millis());
            List<Point> add = new ArrayList<>();
            for (JsonNode directive : aws.path("CloudWatchMetrics")) {
                String ns = directive.path("Namespace").asText();
                for (JsonNode set : directive.path("Dimensions")) {
                    Map<String, String> dims = new TreeMap<>();
                    for (JsonNode k : set) {
                        dims.put(k.asText(), doc.path(k.asText()).asText());
                    }
                    for (JsonNode m : directive.path("Metrics")) {
                        String name = m.path("Name").asText();
                        JsonNode v = doc.get(name);
                        if (v == null) {
                            continue;
                        }
                        if (v.isArray()) {
                            v.forEach(x -> add.add(new Point(ns, name, dims, x.asDouble(), ts)));
                        } else {
                            add.add(new Point(ns, name, dims, v.asDouble(), ts));
                        }
                    }
                }
            }
            synchronized (this) {
                points.addAll(add);
                documents++;
                prune();
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not an EMF document after all: ignored, as CloudWatch ignores a malformed one
        }
    }

    /** Adds one point measured by the local run itself (what AWS would measure: Lambda throttles). */
    public synchronized void add(String namespace, String name, Map<String, String> dimensions, double value) {
        points.add(new Point(namespace, name, new TreeMap<>(dimensions), value, clock.millis()));
        prune();
    }

    private void prune() {
        long oldest = clock.millis() - RETENTION_MILLIS;
        while (!points.isEmpty() && (points.size() > MAX_POINTS || points.peekFirst().epochMillis() < oldest)) {
            points.removeFirst();
        }
    }

    /** EMF documents read so far. */
    public synchronized long documents() {
        return documents;
    }

    /** The points since {@code sinceMillis}. */
    public synchronized List<Point> since(long sinceMillis) {
        List<Point> out = new ArrayList<>();
        for (Point p : points) {
            if (p.epochMillis() >= sinceMillis) {
                out.add(p);
            }
        }
        return out;
    }

    /** The store's clock. */
    public InstantSource clock() {
        return clock;
    }

    /**
     * Reads EMF documents from the process's stdout from now on (the functions of a local run share it), passing every
     * other line through, and EMF lines too when {@code echo}. Closing it restores stdout.
     */
    public AutoCloseable tapStdout(boolean echo) {
        PrintStream original = System.out;
        java.util.concurrent.BlockingQueue<String> pending = new java.util.concurrent.ArrayBlockingQueue<>(10_000);
        // documents are parsed on a thread of their own: the function that wrote one only hands the line over
        Thread reader = Thread.ofPlatform().daemon().name("local-metrics").start(() -> {
            try {
                while (true) {
                    acceptLine(pending.take());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        PrintStream tap = new PrintStream(new LineTap(original, echo, pending), true, StandardCharsets.UTF_8);
        System.setOut(tap);
        return () -> {
            tap.flush();
            if (System.out == tap) {
                System.setOut(original);
            }
            long until = System.nanoTime() + 2_000_000_000L;
            while (!pending.isEmpty() && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            reader.interrupt();
        };
    }

    /** Waits until documents handed over by the stdout tap so far are read (tests, and before drawing). */
    public void settle() {
        // the reader takes a line, then reads it; a line still pending or being read shows as a changed count
        long before;
        do {
            before = documents();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        } while (documents() != before);
    }

    /** Splits what is written into lines and hands EMF documents to the store. */
    private final class LineTap extends OutputStream {
        private final PrintStream out;
        private final boolean echo;
        private final java.util.concurrent.BlockingQueue<String> pending;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(512);

        LineTap(PrintStream out, boolean echo, java.util.concurrent.BlockingQueue<String> pending) {
            this.out = out;
            this.echo = echo;
            this.pending = pending;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                emit();
            } else {
                line.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            int start = off;
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    line.write(b, start, i - start);
                    emit();
                    start = i + 1;
                }
            }
            line.write(b, start, off + len - start);
        }

        private void emit() {
            byte[] bytes = line.toByteArray();
            line.reset();
            boolean emf = bytes.length > 8 && bytes[0] == '{' && startsWithAws(bytes);
            if (emf) {
                pending.offer(new String(bytes, StandardCharsets.UTF_8)); // full: dropped, as a saturated agent drops
            }
            if (!emf || echo) {
                out.write(bytes, 0, bytes.length);
                out.write('\n');
                out.flush();
            }
        }

        @Override
        public synchronized void flush() {
            out.flush();
        }
    }

    private static boolean startsWithAws(byte[] b) {
        byte[] prefix = "{\"_aws\"".getBytes(StandardCharsets.US_ASCII);
        return b.length >= prefix.length && Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** Statistic {@code stat} ({@code Sum}, {@code Average}, {@code Maximum}, {@code Minimum}, {@code SampleCount}, {@code pNN}) of {@code values}. */
    public static double stat(String stat, double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        switch (stat) {
            case "Sum": {
                double s = 0;
                for (double v : values) {
                    s += v;
                }
                return s;
            }
            case "Average":
                return stat("Sum", values) / values.length;
            case "Maximum":
                return Arrays.stream(values).max().orElse(Double.NaN);
            case "Minimum":
                return Arrays.stream(values).min().orElse(Double.NaN);
            case "SampleCount":
                return values.length;
            default:
                if (stat.startsWith("p")) {
                    double q = Double.parseDouble(stat.substring(1)) / 100.0;
                    double[] sorted = values.clone();
                    Arrays.sort(sorted);
                    int rank = (int) Math.ceil(q * sorted.length) - 1;
                    return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
                }
                throw new IllegalArgumentException("unknown statistic " + stat);
        }
    }

    /** Points grouped by {@code key}, each group's values in a list (a helper for the page's series). */
    static <K> Map<K, List<Double>> group(List<Point> points, java.util.function.Function<Point, K> key) {
        Map<K, List<Double>> out = new HashMap<>();
        for (Point p : points) {
            out.computeIfAbsent(key.apply(p), k -> new ArrayList<>()).add(p.value());
        }
        return out;
    }
}
