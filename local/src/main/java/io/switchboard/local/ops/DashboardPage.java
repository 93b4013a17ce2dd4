package io.switchboard.local.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * {@code GET /dashboard} of a local run: the page ({@code dashboard.html}, self-contained, no network) that draws the
 * widgets and alarms of {@link OpsDefinitions} — the same definitions as the template's CloudWatch dashboard — and
 * {@code GET /dashboard/data}, their live series from {@link DashboardData}. No key: the local run listens on
 * loopback only, and anything else is refused.
 */
public final class DashboardPage implements HttpHandler {
    private final DashboardData data;
    private final Runnable beforeRead;
    private final byte[] page;

    /**
     * The page over {@code data}.
     *
     * @param beforeRead runs before each read of the data (the local run samples its gauges, such as queue depths)
     */
    public DashboardPage(DashboardData data, Runnable beforeRead) {
        this.data = Objects.requireNonNull(data);
        this.beforeRead = Objects.requireNonNull(beforeRead);
        try (InputStream in = DashboardPage.class.getResourceAsStream("dashboard.html")) {
            this.page = Objects.requireNonNull(in, "dashboard.html").readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRemoteAddress().getAddress().isLoopbackAddress()) {
                send(ex, 403, "application/json", "{\"message\":\"Forbidden\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (!ex.getRequestMethod().equals("GET")) {
                ex.getResponseHeaders().set("allow", "GET");
                send(ex, 405, "application/json", "{\"message\":\"Method Not Allowed\"}"
                        .getBytes(StandardCharsets.UTF_8));
                return;
            }
            String path = ex.getRequestURI().getRawPath();
            if (path.equals("/dashboard") || path.equals("/dashboard/")) {
                send(ex, 200, "text/html; charset=utf-8", page);
            } else if (path.equals("/dashboard/data")) {
                beforeRead.run();
                send(ex, 200, "application/json", data.render().toString().getBytes(StandardCharsets.UTF_8));
            } else {
                send(ex, 404, "application/json", "{\"message\":\"Not Found\"}".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("content-type", type);
        ex.getResponseHeaders().set("cache-control", "no-store");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
