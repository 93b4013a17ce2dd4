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
 * Reads a JVM's resource use from outside, as the soak run samples it: its threads by name, the live heap after a full
 * GC by class and the metaspace in use ({@code jcmd <pid> Thread.print}, {@code GC.class_histogram} (which runs the
 * full GC first), {@code VM.metaspace basic}: one {@code jcmd} for the three),
 * live threads and resident memory ({@code /proc/<pid>/status}), open file descriptors ({@code /proc/<pid>/fd}),
 * each of the last three the median of {@value #READS} reads. A value that cannot be read is -1.
 */
final class ProcessProbe {
    /** A class's line of {@code GC.class_histogram}: rank, instances, bytes, class name (module). */
    private static final Pattern HISTOGRAM = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
    /**
     * The heap's filler arrays: dead space the collector formats as an object (the unused ends of thread-local
     * buffers retired by the GC). {@code GC.heap_info}'s "used" counts them; they come and go by megabytes from one
     * full GC to the next and hold nothing, so they are left out of the live heap.
     */
    static final String FILLER = "[Ljdk.internal.vm.FillerElement;";
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
        Files.writeString(commands, "Thread.print\nGC.class_histogram\nVM.metaspace basic\n");
    }

    /**
     * A JVM's figures at one moment.
     *
     * @param heapAfterGcBytes bytes of live objects right after a full GC (fillers left out), or -1
     * @param metaspaceBytes metaspace in use, or -1
     * @param threads live threads of the process, or -1
     * @param fds open file descriptors, or -1
     * @param fileFds those of them that are not sockets (files, pipes, event descriptors), or -1
     * @param rssBytes resident memory, or -1
     * @param threadGroups Java threads by name with digits folded (empty when not read)
     * @param classBytes live bytes by class (empty when not read)
     */
    record Reading(long heapAfterGcBytes, long metaspaceBytes, int threads, int fds, int fileFds, long rssBytes,
            Map<String, Integer> threadGroups, Map<String, Long> classBytes) {
        /** Threads whose names start with {@code prefix}. */
        int threadsNamed(String prefix) {
            return threadGroups.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                    .mapToInt(Map.Entry::getValue).sum();
        }
    }

    /** Runs the full GC and reads everything; about 0.5 s of a {@code jcmd} JVM. */
    Reading read(long pid) {
        long heap = -1;
        long meta = -1;
        Map<String, Integer> groups = Map.of();
        Map<String, Long> classes = Map.of();
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "-f", commands.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                classes = histogram(out);
                heap = liveBytes(classes);
                meta = metaspaceUsed(out);
                groups = threadGroups(out);
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
        long[] files = new long[READS];
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
            files[i] = nonSocketFds(pid);
            rss[i] = rss(pid);
        }
        return new Reading(heap, meta, (int) median(threads), (int) median(fds), (int) median(files), median(rss),
                groups, classes);
    }

    /** Reads of the {@code /proc} figures per sample. */
    static final int READS = 5;

    /** The median of {@code v}, or -1 when any value is -1 (not read). */
    static long median(long[] v) {
        long[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[0] < 0 ? -1 : s[s.length / 2];
    }

    /** Java threads by name with digits folded ({@code env-CompletionStreamFunction-N}) in a thread dump. */
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

    /** Live bytes by class in a {@code GC.class_histogram} answer (empty when there is none). */
    static Map<String, Long> histogram(String out) {
        Map<String, Long> bytes = new TreeMap<>();
        for (String line : out.split("\n")) {
            Matcher m = HISTOGRAM.matcher(line);
            if (m.find()) {
                bytes.merge(m.group(3), Long.parseLong(m.group(2)), Long::sum);
            }
        }
        return bytes;
    }

    /** The live heap of a histogram: every class but the fillers; -1 for an empty histogram. */
    static long liveBytes(Map<String, Long> classBytes) {
        if (classBytes.isEmpty()) {
            return -1;
        }
        return classBytes.entrySet().stream().filter(e -> !e.getKey().equals(FILLER)).mapToLong(Map.Entry::getValue)
                .sum();
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

    /** Open file descriptors of {@code pid} that are not sockets, or -1. */
    static int nonSocketFds(long pid) {
        int n = 0;
        try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : (Iterable<Path>) s::iterator) {
                try {
                    if (!Files.readSymbolicLink(fd).toString().startsWith("socket:")) {
                        n++;
                    }
                } catch (IOException closedMeanwhile) {
                    // gone between the listing and the read
                }
            }
            return n;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
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
