package io.switchboard.core.cache;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} on a free loopback port, started and stopped by the test. Skips the test when the
 * binary is missing, except in CI ({@code CI=true}), where {@code .ci/run} installs it and its absence is a failure.
 */
public final class RedisServer implements AutoCloseable {
    private final int port;
    private Process process;

    private RedisServer(int port) {
        this.port = port;
    }

    public static RedisServer start() throws Exception {
        String binary = find();
        if ("true".equals(System.getenv("CI"))) {
            if (binary == null) {
                throw new IllegalStateException("redis-server is required in CI");
            }
        } else {
            assumeTrue(binary != null, "redis-server is not installed");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        RedisServer r = new RedisServer(port);
        r.restart();
        return r;
    }

    private static String find() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, "redis-server");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        File f = new File("/usr/bin/redis-server");
        return f.canExecute() ? f.getPath() : null;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** (Re)starts the server on the same port. */
    public void restart() throws Exception {
        process = new ProcessBuilder(find(), "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--protected-mode", "yes")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("redis-server did not start on port " + port);
    }

    /** Kills the server (as a crash would). */
    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            process = null;
        }
    }

    /** Freezes the server (SIGSTOP): connections stay open, nothing answers, as with a partitioned L2. */
    public void pause() throws Exception {
        signal("-STOP");
    }

    /** Thaws a {@link #pause()}d server (SIGCONT); its data is intact. */
    public void resume() throws Exception {
        signal("-CONT");
    }

    private void signal(String sig) throws Exception {
        Process kill = new ProcessBuilder("kill", sig, Long.toString(process.pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill " + sig + " failed");
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
