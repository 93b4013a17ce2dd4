package io.switchboard.core.fuzz;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The fuzz loop of the {@code *FuzzTest} targets (plain JUnit; no fuzzing library): {@code tries} inputs from a seeded
 * {@link Random}, each checked by the target's property. A failure names the target, the run's seed, the try and the
 * input (hex for bytes), so it replays with {@code -Dfuzz.seed=}. Tries default to a short CI run and are raised by
 * {@code -Dfuzz.tries=N} or replaced by a time budget per target, {@code -Dfuzz.seconds=S} (docs/reliability.md); each run appends one line (target, tries, millis, seed) to
 * {@code target/fuzz-runs.tsv} for the record.
 */
public final class Fuzz {
    /** Tries per target when {@code fuzz.tries} is not set: the CI run. */
    public static final int DEFAULT_TRIES = 2000;

    private Fuzz() {
    }

    /** Tries of this run. */
    public static int tries() {
        return Integer.getInteger("fuzz.tries", DEFAULT_TRIES);
    }

    /**
     * Runs {@code property} over {@link #tries()} inputs of {@code inputs}, or for {@code fuzz.seconds} seconds when
     * that is set (the long run).
     */
    public static <T> void run(String target, Function<Random, T> inputs, Consumer<T> property) {
        long seconds = Long.getLong("fuzz.seconds", 0);
        run(target, seconds > 0 ? Integer.MAX_VALUE : tries(), seconds, inputs, property);
    }

    /** Runs {@code property} over {@code tries} inputs of {@code inputs}. */
    public static <T> void run(String target, int tries, Function<Random, T> inputs, Consumer<T> property) {
        run(target, tries, 0, inputs, property);
    }

    private static <T> void run(String target, int tries, long seconds, Function<Random, T> inputs,
            Consumer<T> property) {
        long seed = Long.getLong("fuzz.seed", new Random().nextLong());
        Random r = new Random(seed);
        long start = System.nanoTime();
        long end = seconds > 0 ? start + seconds * 1_000_000_000L : Long.MAX_VALUE;
        int i = 0;
        for (; i < tries && (i % 64 != 0 || System.nanoTime() < end); i++) {
            T input = inputs.apply(r);
            try {
                property.accept(input);
            } catch (Throwable t) {
                throw new AssertionError("fuzz target " + target + " failed at try " + i + " (replay: -Dfuzz.seed="
                        + seed + "): " + printable(String.valueOf(t)) + "; input: " + show(input), t);
            }
        }
        record(target, i, (System.nanoTime() - start) / 1_000_000, seed);
    }

    /** An input as a reader sees it: bytes in hex and as text. */
    public static String show(Object input) {
        if (input instanceof byte[] b) {
            String hex = HexFormat.of().formatHex(b, 0, Math.min(b.length, 4096));
            return "hex " + hex + " text " + printable(new String(b, StandardCharsets.UTF_8));
        }
        return printable(String.valueOf(input));
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.chars().forEach(c -> b.append(c < 0x20 && c != '\n' ? String.format("\\x%02x", c) : String.valueOf((char) c)));
        return b.toString();
    }

    private static void record(String target, int tries, long millis, long seed) {
        try {
            Path out = Path.of("target", "fuzz-runs.tsv");
            Files.createDirectories(out.getParent());
            Files.writeString(out, target + "\t" + tries + "\t" + millis + "\t" + seed + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the record is a convenience; the run itself passed
        }
    }
}
