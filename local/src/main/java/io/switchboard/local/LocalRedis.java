package io.switchboard.local;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/** A {@code redis-server} the local run starts on a free loopback port as its L2, when one is installed. */
final class LocalRedis implements AutoCloseable {
    private final Process process;
    private final int port;

    private LocalRedis(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts one, or returns null when {@code redis-server} is not on the PATH or does not come up. */
    static LocalRedis startIfInstalled(String path) {
        String binary = null;
        for (String dir : (path == null ? "" : path).split(File.pathSeparator)) {
            File f = new File(dir, "redis-server");
            if (f.canExecute()) {
                binary = f.getPath();
                break;
            }
        }
        if (binary == null) {
            return null;
        }
        try {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Process p = new ProcessBuilder(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save",
                    "", "--appendonly", "no").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline && p.isAlive()) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    return new LocalRedis(p, port);
                } catch (IOException notYet) {
                    Thread.sleep(10);
                }
            }
            p.destroyForcibly();
            return null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.destroy();
    }
}
