package io.switchboard.bench.harness;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The processes a harness run starts (gateways, redis), all on loopback. Every one is stopped by {@link #close()}, and
 * by a shutdown hook if the JVM exits first (Ctrl-C, failure): the process and its descendants get SIGTERM, then
 * SIGKILL after five seconds.
 */
final class Processes implements AutoCloseable {
    private final List<Process> started = new ArrayList<>();
    private final Thread hook = new Thread(this::stopAll, "bench-process-cleanup");

    Processes() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Starts {@code command} in {@code dir} with {@code env} added to this process's environment; output to a log. */
    synchronized Process start(List<String> command, Path dir, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        if (log == null) {
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        } else {
            Files.createDirectories(log.toAbsolutePath().getParent());
            pb.redirectOutput(log.toFile());
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** Polls {@code url} until {@code ready} accepts the status, the process dies or {@code timeout} passes. */
    static void awaitHttp(Process p, URI url, Predicate<Integer> ready, Duration timeout, String name)
            throws InterruptedException {
        HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException(name + " exited with " + p.exitValue() + " before answering");
            }
            try {
                int status = c.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).GET().build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (ready.test(status)) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(name + " did not answer on " + url + " within " + timeout.toSeconds() + " s");
    }

    /** Resident set size in bytes of {@code p} and its descendants (Linux {@code /proc}), or -1 when unknown. */
    static long rss(Process p) {
        long total = rss(p.pid());
        if (total < 0) {
            return -1;
        }
        for (ProcessHandle h : p.descendants().toList()) {
            total += Math.max(0, rss(h.pid()));
        }
        return total;
    }

    private static long rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** A free TCP port on loopback. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Stops {@code p} (and its descendants) now. */
    synchronized void stop(Process p) {
        stop0(p);
        started.remove(p);
    }

    private static void stop0(Process p) {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private synchronized void stopAll() {
        for (Process p : List.copyOf(started)) {
            stop0(p);
        }
        started.clear();
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs (or ran) anyway
        }
    }
}
