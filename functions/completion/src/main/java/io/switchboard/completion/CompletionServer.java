package io.switchboard.completion;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.core.Gateway;
import io.switchboard.core.http.BufferedResponse;
import io.switchboard.core.http.CallerGoneException;
import io.switchboard.core.http.ErrorResponses;
import io.switchboard.core.http.GatewayRequest;
import io.switchboard.core.http.GatewayResponse;
import io.switchboard.core.snapstart.CheckpointHooks;
import io.switchboard.core.snapstart.Checkpointable;
import io.switchboard.core.snapstart.PrimingSamples;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import org.crac.Context;
import org.crac.Resource;

/**
 * The streaming completion route: an HTTP application that Lambda Web Adapter runs inside the function (API Gateway
 * REST API with response streaming, see {@code docs/streaming.md}) and that the local run invokes in each emulated
 * environment. It serves {@code POST /v1/chat/completions} (and {@code /chat/completions}) through the layer's
 * {@link Gateway}, writing {@code text/event-stream} chunked, one flush per event, and every other route the gateway
 * serves ({@code POST /v1/embeddings}, answered whole); {@code GET /ready} for the
 * adapter's readiness check; and the adapter's SnapStart hooks, {@value #BEFORE_CHECKPOINT} and
 * {@value #AFTER_RESTORE}, which run the environment's {@link CheckpointHooks} (the adapter answers 403 to outside
 * requests for them; here they are refused to any request that carries an invocation context).
 */
public final class CompletionServer implements HttpHandler, Resource, Checkpointable, AutoCloseable {
    /** The adapter's readiness check. */
    public static final String READY = "/ready";
    /** The adapter's before-checkpoint hook. */
    public static final String BEFORE_CHECKPOINT = "/_switchboard/snapstart/before-checkpoint";
    /** The adapter's after-restore hook. */
    public static final String AFTER_RESTORE = "/_switchboard/snapstart/after-restore";
    private static final byte[] READY_BODY = "{\"status\":\"ready\"}".getBytes(StandardCharsets.US_ASCII);

    private final Gateway gateway;
    private final InstantSource clock;
    private final int maxRequestBytes;

    /** For the adapter and the local run: configured from {@code environment} as if it were the process's. */
    public CompletionServer(Map<String, String> environment) {
        this(Gateway.fromEnvironment(environment), InstantSource.system());
    }

    /** For tests: serves through {@code gateway}. */
    CompletionServer(Gateway gateway, InstantSource clock) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxRequestBytes = gateway.settings().config().limits().maxRequestBytes();
        gateway.hooks().register(this); // registered last: primes first
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            if (path.equals(READY)) {
                exchange.getResponseHeaders().set("content-type", "application/json");
                exchange.sendResponseHeaders(200, READY_BODY.length);
                exchange.getResponseBody().write(READY_BODY);
                return;
            }
            if (path.startsWith("/_switchboard/")) {
                lifecycle(exchange, method, path);
                return;
            }
            ExchangeSink sink = new ExchangeSink(exchange);
            GatewayRequest request = toRequest(exchange, method, path);
            gateway.serve(request, sink);
        } catch (CallerGoneException e) {
            // the caller left; the gateway already stopped its upstream
        }
    }

    /** The adapter's SnapStart hooks; refused to invocations (only the adapter itself calls them). */
    private void lifecycle(HttpExchange exchange, String method, String path) throws IOException {
        boolean invocation = exchange.getRequestHeaders().containsKey(LambdaContextHeaders.REQUEST_CONTEXT)
                || exchange.getRequestHeaders().containsKey(LambdaContextHeaders.LAMBDA_CONTEXT);
        boolean hook = path.equals(BEFORE_CHECKPOINT) || path.equals(AFTER_RESTORE);
        if (invocation || !hook || !method.equals("POST")) {
            GatewayResponse r = ErrorResponses.notFound();
            new ExchangeSink(exchange).send(r.status(), r.headers(), r.body());
            return;
        }
        try {
            if (path.equals(BEFORE_CHECKPOINT)) {
                gateway.hooks().beforeCheckpoint();
            } else {
                gateway.hooks().afterRestore();
            }
            exchange.sendResponseHeaders(204, -1);
        } catch (Exception e) {
            System.err.println("{\"level\":\"ERROR\",\"hook\":\"" + path + "\",\"cause\":\""
                    + e.getClass().getName() + "\"}");
            exchange.sendResponseHeaders(500, -1); // the adapter fails the phase rather than snapshot a bad state
        }
    }

    private GatewayRequest toRequest(HttpExchange exchange, String method, String path) throws IOException {
        Map<String, String> headers = new HashMap<>(24);
        for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
            List<String> values = h.getValue();
            if (values != null && !values.isEmpty()) {
                headers.put(h.getKey().toLowerCase(Locale.ROOT),
                        values.size() == 1 ? values.get(0) : String.join(",", values));
            }
        }
        LambdaContextHeaders context = LambdaContextHeaders.read(headers.remove(LambdaContextHeaders.LAMBDA_CONTEXT),
                headers.remove(LambdaContextHeaders.REQUEST_CONTEXT));
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(maxRequestBytes + 1); // one byte over tells the gateway it is too large
        }
        return new GatewayRequest(method, path, headers, body, context.requestId(),
                context.remainingMillis(clock.millis()));
    }

    /** Before a SnapStart snapshot: a streamed sample through the priming pipeline and the event-stream writer. */
    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        for (byte[] sample : PrimingSamples.REQUESTS) {
            gateway.primeServe(new GatewayRequest("POST", Gateway.CHAT_COMPLETIONS,
                    Map.of("content-type", "application/json"), sample, "prime", Long.MAX_VALUE),
                    new BufferedResponse());
        }
        LambdaContextHeaders.read("{\"request_id\":\"prime\",\"deadline\":1}", "{\"requestId\":\"prime\"}");
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // the gateway's own hooks re-arm the environment
    }

    @Override
    public CheckpointHooks checkpointHooks() {
        return gateway.hooks();
    }

    /** Shuts the environment's gateway down: buffered spend is written, connections closed. */
    @Override
    public void close() {
        gateway.close();
    }

    @Override
    public String toString() {
        return "prime completion server";
    }

    /**
     * Runs the application on 127.0.0.1:{@code AWS_LWA_PORT} (else {@code PORT}, else 8080) for Lambda Web Adapter;
     * one virtual thread per exchange.
     */
    public static void main(String[] args) throws IOException {
        Map<String, String> env = System.getenv();
        int port = Integer.parseInt(env.getOrDefault("AWS_LWA_PORT", env.getOrDefault("PORT", "8080")));
        CompletionServer app = new CompletionServer(env);
        HttpServer server = start(app, port);
        // Lambda sends SIGTERM when the environment shuts down (the adapter is an extension): buffered spend is
        // written before the JVM exits.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            app.close();
        }));
    }

    /** Serves {@code app} on loopback at {@code port} (0: a free port). */
    public static HttpServer start(HttpHandler app, int port) throws IOException {
        // Each event is flushed as a small write: without TCP_NODELAY, Nagle's algorithm would hold it back.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", app);
        server.start();
        return server;
    }
}
