package io.switchboard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.local.ops.LocalMetrics;
import io.switchboard.local.ops.OpsDefinitions;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The local run's {@code GET /dashboard} in a real browser: the whole stack (DynamoDB Local, the bus, schedules,
 * redis-server as L2 when installed) serves traffic for about twenty seconds, then headless Chromium (Debian's
 * {@code chromium}) loads the page, runs its script against {@code /dashboard/data} and is asked for the DOM it drew
 * and a screenshot ({@code local/target/dashboard.png}; also copied to {@code -Dswitchboard.dashboard.screenshot},
 * which is how {@code docs/dashboard.png} was made).
 */
class LocalDashboardTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private int port;

    private static String chromium() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                File f = new File(dir, name);
                if (f.canExecute()) {
                    return f.getPath();
                }
            }
        }
        File f = new File("/usr/bin/chromium");
        return f.canExecute() ? f.getPath() : null;
    }

    private HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("authorization", "Bearer " + key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String chat(String model, String content, boolean stream) {
        return "{\"model\":\"" + model + "\",\"temperature\":0,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
    }

    private static String run(List<String> command, Path out) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(false).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish: " + command);
        return Files.readString(out);
    }

    @Test
    void dashboard_drawsTheDefinedWidgetsWithLiveData_inHeadlessChromium() throws Exception {
        String chromium = chromium();
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(chromium != null, "chromium is missing although .ci/run installs it");
        }
        assumeTrue(chromium != null, "chromium is not installed (apt-get install chromium; .ci/run installs it)");
        LocalRedis redis = LocalRedis.startIfInstalled(System.getenv("PATH"));
        LocalMetrics metrics = new LocalMetrics(InstantSource.system());
        Map<String, String> env = new HashMap<>();
        env.put("SWITCHBOARD_METRICS", "emf");
        env.put("AWS_REGION", "us-east-1");
        env.put("SWITCHBOARD_MOCK_LATENCY_MS", "15");
        env.put("OPENAI_API_KEY", "sk-local-unused");
        env.put("OPENAI_BASE_URL", "http://127.0.0.1:9/v1"); // nothing listens: the openai provider answers 502
        if (redis != null) {
            env.put("SWITCHBOARD_CACHE_URL", redis.url());
        }
        LocalOptions options = new LocalOptions(true, LocalOptions.DynamoDbMode.MEMORY, true, true, 1,
                Duration.ofMillis(100), null);
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        try (AutoCloseable tap = metrics.tapStdout(false);
                LocalGateway gateway = LocalGateway.start(Project.template(), 0, env, Map.of(), options, o -> { })) {
            gateway.serveDashboard(metrics);
            port = gateway.port();
            gateway.awaitTables(Duration.ofMinutes(1));
            String key = LocalGateway.DEFAULT_DEV_KEY;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(21);
            for (int round = 0; System.nanoTime() < until; round++) {
                for (int i = 0; i < 6; i++) {
                    send("POST", "/v1/chat/completions", key, chat("fast", "hello " + (round * 6 + i) % 9, false));
                }
                send("POST", "/v1/chat/completions", key, chat("fast", "stream " + round, true));
                send("POST", "/v1/chat/completions", key, chat("gpt-4o-mini", "upstream down", false));
                send("POST", "/v1/chat/completions", key, chat("no-such-model", "x", false));
                send("GET", "/v1/models", key, null);
                send("GET", "/health", null, null);
                if (round % 4 == 0) {
                    send("POST", "/v1/cache/invalidate", LocalGateway.DEFAULT_DEV_ADMIN_KEY,
                            "{\"tenant\":\"local\",\"reason\":\"dashboard test\"}");
                }
                Thread.sleep(1500);
            }
            metrics.settle();
            HttpResponse<String> page = send("GET", "/dashboard", null, null);
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("/dashboard/data"));
            JsonNode data = JSON.readTree(send("GET", "/dashboard/data", null, null).body());
            assertEquals(OpsDefinitions.load().widgets().size(), data.path("widgets").size());
            assertTrue(data.path("documents").asLong() > 50, "EMF documents read: " + data.path("documents"));

            String url = "http://127.0.0.1:" + port + "/dashboard";
            List<String> common = List.of(chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars", "--window-size=1600,2450",
                    "--virtual-time-budget=5000");
            List<String> dump = new java.util.ArrayList<>(common);
            dump.add("--dump-dom");
            dump.add(url);
            String dom = run(dump, target.resolve("dashboard-dom.html"));
            Matcher rendered = Pattern.compile("data-rendered=\"(\\d+)\"").matcher(dom);
            assertTrue(rendered.find() && Integer.parseInt(rendered.group(1)) >= 1, "the page's script never drew");
            Matcher widgets = Pattern.compile("class=\"widget\"[^>]*data-series=\"(\\d+)\"").matcher(dom);
            int drawn = 0;
            int withData = 0;
            while (widgets.find()) {
                drawn++;
                withData += Integer.parseInt(widgets.group(1)) > 0 ? 1 : 0;
            }
            assertEquals(OpsDefinitions.load().widgets().size(), drawn, "one chart per defined widget");
            assertTrue(withData >= 12, "widgets with live data: " + withData + " of " + drawn);
            assertTrue(dom.contains("Requests and status classes") && dom.contains("HighErrorRate"), dom);

            Path png = target.resolve("dashboard.png");
            Files.deleteIfExists(png);
            List<String> shot = new java.util.ArrayList<>(common);
            shot.add("--screenshot=" + png);
            shot.add(url);
            run(shot, target.resolve("dashboard-shot.log"));
            assertTrue(Files.size(png) > 20_000, "screenshot size " + Files.size(png));
            String copy = System.getProperty("switchboard.dashboard.screenshot");
            if (copy != null && !copy.isBlank()) {
                Files.copy(png, Path.of(copy), StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            if (redis != null) {
                redis.close();
            }
        }
    }
}
