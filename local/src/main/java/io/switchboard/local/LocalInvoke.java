package io.switchboard.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code ./local/run.sh invoke <LogicalId> -e event.json}: invokes one function with an event, as
 * {@code sam local invoke} does (which needs Docker), and prints its result. If a local run is up (it records its port
 * in the data folder), the event goes to that run's function, so it sees the run's tables, bus and caches; otherwise
 * the stack is stood up for the one invocation (the same tables on disk) and torn down.
 */
final class LocalInvoke {
    private LocalInvoke() {
    }

    /** Remembers the port of a running local run (removed when it stops). */
    static void recordRunning(LocalOptions options, int port) {
        if (options.dataDir() == null) {
            return;
        }
        try {
            Path f = options.dataDir().resolve("local-run.port");
            Files.createDirectories(f.getParent());
            Files.writeString(f, Long.toString(ProcessHandle.current().pid()) + " " + port);
            f.toFile().deleteOnExit();
        } catch (IOException e) {
            System.err.println("local run: could not record its port: " + e);
        }
    }

    /** Runs the command; returns the process's exit status. */
    static int run(Path template, Map<String, String> params, LocalOptions options, String function, Path eventFile,
            Map<String, String> env) throws Exception {
        byte[] event = eventFile == null ? "{}".getBytes(StandardCharsets.UTF_8) : Files.readAllBytes(eventFile);
        Integer running = runningPort(options);
        if (running != null) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + running + "/_local/invoke/" + function))
                    .timeout(Duration.ofMinutes(16)).POST(HttpRequest.BodyPublishers.ofByteArray(event)).build(),
                    HttpResponse.BodyHandlers.ofString());
            System.out.println(r.body());
            return r.statusCode() == 200 ? 0 : 1;
        }
        LocalOptions once = new LocalOptions(options.resources(), options.dynamoDb(), options.bus(), false, options.scheduleScale(),
                options.retryDelay(), options.dataDir());
        try (LocalGateway g = LocalGateway.start(template, 0, new HashMap<>(env), params, once, o -> { })) {
            byte[] result = g.invoke(function, event);
            System.out.println(new String(result, StandardCharsets.UTF_8));
            return 0;
        } catch (Exception e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
                    ? e.getCause() : e;
            System.err.println("{\"errorType\":\"" + cause.getClass().getName() + "\"}");
            return 1;
        }
    }

    private static Integer runningPort(LocalOptions options) {
        if (options.dataDir() == null) {
            return null;
        }
        try {
            String[] pidPort = Files.readString(options.dataDir().resolve("local-run.port")).strip().split(" ");
            if (ProcessHandle.of(Long.parseLong(pidPort[0])).map(ProcessHandle::isAlive).orElse(false)) {
                return Integer.parseInt(pidPort[1]);
            }
        } catch (IOException | RuntimeException e) {
            // none running
        }
        return null;
    }
}
