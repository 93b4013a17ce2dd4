package io.switchboard.bench.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads a JVM's resource use from outside, as the soak run samples it: the heap after a full GC and the metaspace
 * in use ({@code jcmd <pid> GC.run}, {@code GC.heap_info}, {@code VM.metaspace basic}: one {@code jcmd} for the three),
 * live threads and resident memory ({@code /proc/<pid>/status}), open file descriptors ({@code /proc/<pid>/fd}),
 * each of the last three the median of {@value #READS} reads. A value that cannot be read is -1.
 */
final class ProcessProbe {
    /** A generation's line of {@code GC.heap_info} (Serial: {@code DefNew}, {@code Tenured}; G1: one heap line). */
    private static final Pattern GENERATION = Pattern.compile("^\\S.*?\\btotal\\s+(\\d+)K,\\s+used\\s+(\\d+)K");
    private static final Pattern METASPACE = Pattern.compile("^\\s*Metaspace\\s+used\\s+(\\d+)K");

    private final Path jcmd;
    private final Path commands;

    /**
     * A probe using the {@code jcmd} of the JDK at {@code javaHome} (the one that runs the gateway); the three
     * diagnostic commands go in a file under {@code workDir}.
     */
    ProcessProbe(Path javaHome, Path workDir) throws IOException {
        this.jcmd = javaHome.resolve("bin/jcmd");
        Files.createDirectories(workDir);
        this.commands = workDir.resolve("soak-jcmd.txt");
        Files.writeString(commands, "GC.run\nGC.heap_info\nVM.metaspace basic\n");
    }

    /**
     * A JVM's figures at one moment.
     *
     * @param heapAfterGcBytes heap in use right after a full GC (the live set), or -1
     * @param metaspaceBytes metaspace in use, or -1
     * @param threads live threads of the process, or -1
     * @param fds open file descriptors, or -1
     * @param rssBytes resident memory, or -1
     */
    record Reading(long heapAfterGcBytes, long metaspaceBytes, int threads, int fds, long rssBytes) {
    }

    /** Runs the full GC and reads everything; about 0.5 s of a {@code jcmd} JVM. */
    Reading read(long pid) {
        long heap = -1;
        long meta = -1;
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "-f", commands.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                heap = heapUsed(out);
                meta = metaspaceUsed(out);
            }
        } catch (IOException e) {
            // left at -1: the run says how many samples it could not read
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // after jcmd (whose first attach starts the JVM's Attach Listener thread for good); the median of five reads
        // 100 ms apart, so that a connection or a pool thread that happens to be open for an instant is not the sample
        long[] threads = new long[READS];
        long[] fds = new long[READS];
        long[] rss = new long[READS];
        for (int i = 0; i < READS; i++) {
            if (i > 0) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            threads[i] = status(pid, "Threads:");
            fds[i] = fds(pid);
            rss[i] = rss(pid);
        }
        return new Reading(heap, meta, (int) median(threads), (int) median(fds), median(rss));
    }

    /** Reads of the {@code /proc} figures per sample. */
    static final int READS = 5;

    /** The median of {@code v}, or -1 when any value is -1 (not read). */
    static long median(long[] v) {
        long[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[0] < 0 ? -1 : s[s.length / 2];
    }

    /**
     * The process's threads by name with digits folded ({@code env-CompletionStreamFunction-N}), from
     * {@code jcmd <pid> Thread.print}: what grew, when the count does. Empty when it cannot be read.
     */
    Map<String, Integer> threadGroups(long pid) {
        Map<String, Integer> groups = new TreeMap<>();
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Thread.print")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return threadGroups(out);
            }
        } catch (IOException e) {
            // empty
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return groups;
    }

    static Map<String, Integer> threadGroups(String threadPrint) {
        Map<String, Integer> groups = new TreeMap<>();
        for (String line : threadPrint.split("\n")) {
            if (line.startsWith("\"")) {
                int end = line.indexOf('"', 1);
                if (end > 0) {
                    groups.merge(line.substring(1, end).replaceAll("[0-9]+", "N"), 1, Integer::sum);
                }
            }
        }
        return groups;
    }

    /** Bytes in use over every generation of a {@code GC.heap_info} answer, or -1 when none is there. */
    static long heapUsed(String heapInfo) {
        long used = 0;
        boolean any = false;
        for (String line : heapInfo.split("\n")) {
            Matcher m = GENERATION.matcher(line);
            if (m.find() && !line.startsWith("Metaspace")) {
                used += Long.parseLong(m.group(2)) * 1024;
                any = true;
            }
        }
        return any ? used : -1;
    }

    /** Bytes of metaspace in use from {@code VM.metaspace basic}, or -1. */
    static long metaspaceUsed(String out) {
        for (String line : out.split("\n")) {
            Matcher m = METASPACE.matcher(line);
            if (m.find()) {
                return Long.parseLong(m.group(1)) * 1024;
            }
        }
        return -1;
    }

    /** A numeric field of {@code /proc/<pid>/status} (kB fields in bytes), or -1. */
    static long status(long pid, String field) {
        try {
            return statusField(Files.readAllLines(Path.of("/proc/" + pid + "/status")), field);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static long statusField(List<String> lines, String field) {
        for (String line : lines) {
            if (line.startsWith(field)) {
                String v = line.substring(field.length()).trim();
                long n = Long.parseLong(v.split("\\s+")[0]);
                return v.endsWith("kB") ? n * 1024 : n;
            }
        }
        return -1;
    }

    /** Resident memory of {@code pid} in bytes, or -1. */
    static long rss(long pid) {
        return status(pid, "VmRSS:");
    }

    /** Open file descriptors of {@code pid}, or -1. */
    static int fds(long pid) {
        try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return (int) s.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
