package io.switchboard.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.core.auth.Authenticator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the gateway on loopback: serves every API route of {@code template.yaml} by invoking the function that
 * declares it, as API Gateway and Lambda would: HTTP API routes with payload v2 events answered whole; REST API
 * routes with response streaming by handing the exchange to the function's HTTP application, as Lambda Web Adapter
 * does, so its answer streams to the caller. One request at a time per environment, at most the reserved concurrency
 * of environments, the function's timeout and environment. No Docker, no AWS account.
 */
public final class LocalGateway implements AutoCloseable {
    /** The key local runs accept unless {@code SWITCHBOARD_DEV_KEY} names another. */
    public static final String DEFAULT_DEV_KEY = "sk-switchboard-dev";
    /** The admin key local runs accept for {@code POST /v1/cache/invalidate} unless {@code SWITCHBOARD_DEV_ADMIN_KEY}. */
    public static final String DEFAULT_DEV_ADMIN_KEY = "sk-switchboard-admin-dev";
    /** Lambda's synchronous invocation payload limit. */
    static final int MAX_EVENT_BYTES = 6 * 1024 * 1024;

    private final HttpServer server;
    private final ExecutorService requests;
    private final List<FunctionPool> pools = new ArrayList<>();
    private final Map<String, FunctionPool> byId = new LinkedHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final LocalStackParts stack;
    private volatile io.switchboard.local.ops.LocalMetrics localMetrics;

    private LocalGateway(HttpServer server, ExecutorService requests, List<FunctionPool> pools,
            LocalStackParts stack) {
        this.server = server;
        this.requests = requests;
        this.stack = stack;
        for (FunctionPool p : pools) {
            byId.put(p.spec().logicalId(), p);
            if (!p.spec().routes().isEmpty()) {
                this.pools.add(p);
            }
        }
    }

    /** What runs beside the routes: tables, queues, the bus and its rules, schedules (each may be absent). */
    record LocalStackParts(LocalDynamoDb dynamoDb, LocalQueues queues, LocalEventBus bus, AsyncInvoker invoker,
            LocalScheduler scheduler) implements AutoCloseable {
        static final LocalStackParts NONE = new LocalStackParts(null, null, null, null, null);

        @Override
        public void close() {
            if (scheduler != null) {
                scheduler.close();
            }
            if (bus != null) {
                bus.close();
            }
            if (invoker != null) {
                invoker.close();
            }
            if (dynamoDb != null) {
                try {
                    dynamoDb.close();
                } catch (IOException e) {
                    System.err.println("local run: DynamoDB Local did not stop cleanly: " + e);
                }
            }
        }
    }

    /**
     * Starts serving {@code template}'s functions on 127.0.0.1:{@code port} (0 picks a free port).
     *
     * @param processEnv the variables a local deployment sees on top of the template's (provider keys, overrides)
     * @param parameters template parameter overrides
     */
    public static LocalGateway start(Path template, int port, Map<String, String> processEnv,
            Map<String, String> parameters) throws IOException {
        return start(template, port, processEnv, parameters, LocalOptions.HTTP_ONLY, o -> { });
    }

    /**
     * Starts serving {@code template}'s functions, and what {@code options} asks for beside them: DynamoDB Local
     * with the template's tables, the template's buses and rules, its schedules and dead-letter queues.
     *
     * @param asyncListener hears the outcome of every asynchronous invocation (rules, schedules)
     */
    public static LocalGateway start(Path template, int port, Map<String, String> processEnv,
            Map<String, String> parameters, LocalOptions options, AsyncInvoker.Listener asyncListener)
            throws IOException {
        SamTemplate t = SamTemplate.read(template, parameters, options.stack());
        Map<String, String> env = new HashMap<>(processEnv);
        LocalStackParts parts = LocalStackParts.NONE;
        if (options.stack()) {
            EventSources.All sources = t.eventSources();
            String region = env.getOrDefault("AWS_REGION", "us-east-1");
            LocalDynamoDb db = null;
            if (options.dynamoDb() != LocalOptions.DynamoDbMode.OFF) {
                db = LocalDynamoDb.start(options.dynamoDb() == LocalOptions.DynamoDbMode.DISK
                        ? options.dataDir().resolve("dynamodb") : null, sources.tables());
                env.putIfAbsent("AWS_ENDPOINT_URL_DYNAMODB", db.endpoint().toString());
            }
            LocalQueues queues = new LocalQueues(sources.queues(),
                    options.dynamoDb() == LocalOptions.DynamoDbMode.DISK ? options.dataDir() : null);
            LocalEventBus bus = null;
            if (options.bus()) {
                bus = LocalEventBus.start(sources.buses(), sources.rules(), queues, region);
                env.putIfAbsent("AWS_ENDPOINT_URL_EVENTBRIDGE", bus.endpoint());
            }
            // static credentials for the SDK clients: every endpoint they call is on loopback
            env.putIfAbsent("AWS_ACCESS_KEY_ID", "local");
            env.putIfAbsent("AWS_SECRET_ACCESS_KEY", "local");
            parts = new LocalStackParts(db, queues, bus, null, null);
        }
        List<FunctionPool> pools = new ArrayList<>();
        Map<String, FunctionPool> all = new LinkedHashMap<>();
        Map<String, EventSources.AsyncConfig> async = new HashMap<>();
        for (FunctionSpec spec : t.functions()) {
            if (!options.stack() && spec.routes().isEmpty()) {
                continue;
            }
            FunctionPool pool = new FunctionPool(spec, environment(spec, env));
            pools.add(pool);
            all.put(spec.logicalId(), pool);
            async.put(spec.logicalId(), t.asyncConfig(spec.logicalId()));
        }
        if (options.stack()) {
            AsyncInvoker invoker = new AsyncInvoker(all, async, parts.queues(), options.retryDelay(), asyncListener);
            if (parts.bus() != null) {
                parts.bus().deliverTo(invoker);
            }
            // schedules (discovery) write tables: they start once the tables exist
            java.util.concurrent.CompletableFuture<?> tables = parts.dynamoDb() != null ? parts.dynamoDb().ready()
                    : java.util.concurrent.CompletableFuture.completedFuture(null);
            LocalScheduler scheduler = options.schedules() ? new LocalScheduler(t.eventSources().schedules(), invoker,
                    options.scheduleScale(), tables, env.getOrDefault("AWS_REGION", "us-east-1")) : null;
            parts = new LocalStackParts(parts.dynamoDb(), parts.queues(), parts.bus(), invoker, scheduler);
        }
        // Each streamed event is a small write flushed at once: without TCP_NODELAY, Nagle's algorithm holds it back.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        // the local run's own HTTP/1.1 server (a thread per connection, the handler on it); the JDK's on request
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        HttpServer server = "jdk".equalsIgnoreCase(env.getOrDefault("SWITCHBOARD_LOCAL_HTTP_SERVER", "loopback"))
                ? HttpServer.create(address, 256) : LoopbackHttpServer.open(address, 256);
        ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
        LocalGateway g = new LocalGateway(server, requests, pools, parts);
        server.setExecutor(requests);
        server.createContext("/", g::serve);
        server.createContext("/_local/", g::control);
        server.start();
        return g;
    }

    /**
     * The local run's own routes: {@code POST /_local/invoke/{Function}} invokes a function synchronously with the
     * body as its event and answers its result; {@code GET /_local/queues/{name}} lists a dead-letter queue.
     */
    private void control(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            if (path.startsWith("/_local/invoke/") && ex.getRequestMethod().equals("POST")) {
                FunctionPool pool = byId.get(path.substring("/_local/invoke/".length()));
                if (pool == null) {
                    send(ex, 404, Map.of("content-type", "application/json"), "{\"message\":\"No such function\"}");
                    return;
                }
                byte[] event = ex.getRequestBody().readAllBytes();
                try {
                    awaitTables(java.time.Duration.ofMinutes(1));
                    byte[] result = invokeSync(pool, event);
                    send(ex, 200, Map.of("content-type", "application/json"), result);
                } catch (Exception e) {
                    Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
                            ? e.getCause() : e;
                    send(ex, 500, Map.of("content-type", "application/json"), "{\"errorType\":\""
                            + cause.getClass().getName() + "\"}");
                }
                return;
            }
            if (path.startsWith("/_local/queues/") && stack.queues() != null) {
                send(ex, 200, Map.of("content-type", "application/json"),
                        stack.queues().describe(path.substring("/_local/queues/".length())));
                return;
            }
            send(ex, 404, Map.of("content-type", "application/json"), "{\"message\":\"Not Found\"}");
        }
    }

    /** One synchronous invocation of {@code pool}'s function with {@code event} (as {@code aws lambda invoke}). */
    byte[] invokeSync(FunctionPool pool, byte[] event) throws Exception {
        String requestId = "local-" + Long.toHexString(System.currentTimeMillis()) + "-" + ids.incrementAndGet();
        ExecutionEnvironment env;
        long until = System.nanoTime() + 30_000_000_000L;
        while ((env = pool.acquire()) == null) {
            if (System.nanoTime() > until) {
                throw new TimeoutException("all environments of " + pool.spec().logicalId() + " stayed busy");
            }
            Thread.sleep(10);
        }
        try {
            byte[] result = env.invoke(event, requestId);
            pool.release(env);
            return result;
        } catch (TimeoutException e) {
            pool.discard(env);
            throw e;
        } catch (Exception e) {
            pool.release(env);
            throw e;
        }
    }

    /**
     * Serves {@code GET /dashboard}: the widgets and alarms of the stack's dashboard definitions, drawn from
     * {@code metrics} (the functions' EMF documents, and what the local run measures as AWS would: a function's
     * throttles, the dead-letter queues' depth).
     */
    public void serveDashboard(io.switchboard.local.ops.LocalMetrics metrics) {
        this.localMetrics = java.util.Objects.requireNonNull(metrics);
        io.switchboard.local.ops.DashboardData data = new io.switchboard.local.ops.DashboardData(
                io.switchboard.local.ops.OpsDefinitions.load(), metrics, this::localValue);
        server.createContext("/dashboard", new io.switchboard.local.ops.DashboardPage(data, () -> {
            if (stack.queues() != null) {
                for (String q : stack.queues().names()) {
                    metrics.add("AWS/SQS", "ApproximateNumberOfMessagesVisible", Map.of("QueueName", q),
                            stack.queues().messages(q).size());
                }
            }
        }));
    }

    /** A template reference ({@code ${LogicalId}} or {@code ${LogicalId.QueueName}}) as the local run names it. */
    private String localValue(String reference) {
        String ref = reference.substring(2, reference.length() - 1);
        int dot = ref.indexOf('.');
        String id = dot < 0 ? ref : ref.substring(0, dot);
        if (dot >= 0 && stack.queues() != null) {
            for (String q : stack.queues().names()) {
                if (q.endsWith(id)) {
                    return q;
                }
            }
        }
        return id; // a function's name is its logical id locally (AWS_LAMBDA_FUNCTION_NAME)
    }

    private void recordThrottle(FunctionPool pool) {
        io.switchboard.local.ops.LocalMetrics m = localMetrics;
        if (m != null) {
            m.add("AWS/Lambda", "Throttles", Map.of("FunctionName", pool.spec().logicalId()), 1);
        }
    }

    /**
     * Requests that arrive while DynamoDB Local is still creating the template's tables wait for them (within the
     * function's timeout), as on AWS the tables exist before any function runs; once they exist this is one volatile
     * read.
     */
    private void awaitTablesOnce(FunctionPool pool) {
        LocalDynamoDb db = stack.dynamoDb();
        if (db != null && !db.ready().isDone()) {
            try {
                db.ready().get(pool.spec().timeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                // the function meets the missing table as it would, and answers for it
            }
        }
    }

    /** Waits until DynamoDB Local (started in the background) has the template's tables. */
    public void awaitTables(java.time.Duration limit) throws Exception {
        if (stack.dynamoDb() != null) {
            stack.dynamoDb().ready().get(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    /** Invokes {@code function} synchronously with {@code event} (once the tables exist). */
    public byte[] invoke(String function, byte[] event) throws Exception {
        awaitTables(java.time.Duration.ofMinutes(1));
        FunctionPool pool = byId.get(function);
        if (pool == null) {
            throw new IllegalArgumentException("no function " + function + " in the template (functions: "
                    + byId.keySet() + ")");
        }
        return invokeSync(pool, event);
    }

    /** Stops DynamoDB Local as an outage would (fault runs); {@link #restartDynamoDb()} brings it back. */
    void stopDynamoDb() throws Exception {
        stack.dynamoDb().stop();
    }

    /** How many execution environments {@code function} has now (fault runs). */
    int environments(String function) {
        FunctionPool p = byId.get(function);
        return p == null ? 0 : p.live();
    }

    /** DynamoDB Local's endpoint, or null without tables. */
    java.net.URI dynamoDbEndpoint() {
        return stack.dynamoDb() == null ? null : stack.dynamoDb().endpoint();
    }

    /** Starts DynamoDB Local again on its port (its tables survive only on disk). */
    void restartDynamoDb() throws Exception {
        stack.dynamoDb().restart();
    }

    /** The local bus's endpoint ({@code AWS_ENDPOINT_URL_EVENTBRIDGE}), or null when the bus is off. */
    public String busEndpoint() {
        return stack.bus() == null ? null : stack.bus().endpoint();
    }

    /** Messages in the local dead-letter queue {@code name}. */
    List<LocalQueues.Message> queue(String name) {
        return stack.queues() == null ? List.of() : stack.queues().messages(name);
    }

    /**
     * A function's environment: the template's variables, overridden by the same names set in the process, plus the
     * process's other variables (provider keys), the variables Lambda itself sets, and loopback-safe AWS settings.
     */
    static Map<String, String> environment(FunctionSpec spec, Map<String, String> processEnv) {
        Map<String, String> env = new HashMap<>(processEnv);
        spec.environment().forEach((k, v) -> {
            if (!processEnv.containsKey(k)) {
                env.put(k, v);
            }
        });
        if (env.getOrDefault("SWITCHBOARD_API_KEYS", "").isBlank()) {
            String devKey = processEnv.getOrDefault("SWITCHBOARD_DEV_KEY", DEFAULT_DEV_KEY);
            env.put("SWITCHBOARD_API_KEYS", "local:" + Authenticator.sha256Hex(devKey));
        }
        if (env.getOrDefault("SWITCHBOARD_ADMIN_KEYS", "").isBlank()) {
            String adminKey = processEnv.getOrDefault("SWITCHBOARD_DEV_ADMIN_KEY", DEFAULT_DEV_ADMIN_KEY);
            env.put("SWITCHBOARD_ADMIN_KEYS", "local-admin:" + Authenticator.sha256Hex(adminKey));
        }
        env.put("AWS_LAMBDA_FUNCTION_NAME", spec.logicalId());
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(spec.memoryMb()));
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.putIfAbsent("AWS_REGION", "us-east-1");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.putIfAbsent("AWS_EMF_ENVIRONMENT", "Local");
        env.putIfAbsent("SWITCHBOARD_METRICS", "off");
        return env;
    }

    /** What the local run stands up beside the routes, in words (for its start banner). */
    String emulation(LocalOptions options) {
        StringBuilder sb = new StringBuilder();
        sb.append("DynamoDB: ").append(switch (options.dynamoDb()) {
            case DISK -> "DynamoDB Local, tables kept in " + options.dataDir().resolve("dynamodb");
            case MEMORY -> "DynamoDB Local in memory";
            case OFF -> "off (bundled catalog)";
        });
        sb.append("\nEvent bus: ").append(options.bus() ? "on (rules of template.yaml; dead letters at "
                + "/_local/queues/<name>)" : "off");
        sb.append("\nSchedules: ").append(options.schedules() ? "on (each runs now, then every rate/"
                + options.scheduleScale() + ")" : "off");
        return sb.toString();
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The routes served, as {@code METHOD /path -> Function}. */
    public List<String> routes() {
        List<String> out = new ArrayList<>();
        for (FunctionPool p : pools) {
            for (Route r : p.spec().routes()) {
                out.add(r.key() + " -> " + p.spec().logicalId() + " (reserved concurrency "
                        + p.spec().reservedConcurrency() + ", timeout " + p.spec().timeout().toSeconds() + "s)");
            }
        }
        return out;
    }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod().toUpperCase(java.util.Locale.ROOT);
            String path = ex.getRequestURI().getRawPath();
            FunctionPool pool = null;
            Route route = null;
            for (FunctionPool p : pools) {
                for (Route r : p.spec().routes()) {
                    // API Gateway prefers an exact route over one with path variables; on one port, a streaming
                    // route (REST API) is preferred over an HTTP API route of the same path
                    if (r.matches(method, path) && (route == null || route.path().contains("{")
                            || (r.streaming() && !route.streaming() && r.path().equals(route.path())))) {
                        pool = p;
                        route = r;
                    }
                }
            }
            if (pool == null) { // API Gateway's catch-all route, when the template has one (HTTP API routes only)
                for (FunctionPool p : pools) {
                    for (Route r : p.spec().routes()) {
                        if (r.isDefault() && !r.streaming() && pool == null) {
                            pool = p;
                            route = r;
                        }
                    }
                }
            }
            if (pool == null) {
                send(ex, 404, Map.of("content-type", "application/json"), "{\"message\":\"Not Found\"}");
                return;
            }
            awaitTablesOnce(pool);
            if (pool.spec().httpApp()) {
                serveHttpApp(ex, pool, route);
                return;
            }
            byte[] body = readBody(ex.getRequestBody());
            if (body == null) {
                send(ex, 413, Map.of("content-type", "application/json"),
                        "{\"message\":\"Request Entity Too Large\"}");
                return;
            }
            String requestId = "local-" + Long.toHexString(System.currentTimeMillis()) + "-" + ids.incrementAndGet();
            byte[] event = HttpApiEvents.event(route, method, path, ex.getRequestURI().getRawQuery(),
                    ex.getRequestHeaders(), body, requestId, ex.getRemoteAddress().getAddress().getHostAddress(),
                    Instant.now());
            ExecutionEnvironment env = pool.acquire();
            if (env == null) {
                recordThrottle(pool);
            throttled(ex, pool, requestId);
                return;
            }
            java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();
            FunctionPool timedPool = pool;
            Runnable onTimeout = () -> {
                if (answered.compareAndSet(false, true)) { // answer now, as API Gateway does; the handler may go on
                    System.err.println(requestId + " Task timed out after " + timedPool.spec().timeout().toSeconds()
                            + " seconds; the environment is discarded");
                    sendQuietly(ex, 500, "{\"message\":\"Internal Server Error\"}");
                }
            };
            byte[] result;
            try {
                result = env.invoke(event, requestId, onTimeout);
                pool.release(env);
            } catch (TimeoutException e) {
                pool.discard(env);
                onTimeout.run();
                return;
            } catch (Exception e) {
                Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
                        ? e.getCause() : e;
                pool.discard(env);
                System.err.println(requestId + " function error: " + cause.getClass().getName());
                if (answered.compareAndSet(false, true)) {
                    send(ex, 500, Map.of("content-type", "application/json"),
                            "{\"message\":\"Internal Server Error\"}");
                }
                return;
            }
            if (!answered.compareAndSet(false, true)) {
                return;
            }
            HttpApiEvents.Answer answer = HttpApiEvents.answer(result);
            Map<String, String> headers = new LinkedHashMap<>(answer.headers());
            headers.put("apigw-requestid", requestId);
            for (String c : answer.cookies()) {
                ex.getResponseHeaders().add("set-cookie", c);
            }
            send(ex, answer.status(), headers, answer.body());
        }
    }

    /**
     * A function behind Lambda Web Adapter: its HTTP application gets the exchange, with the invocation's context in
     * the adapter's headers, and streams its answer straight to the caller. A timeout ends the invocation as Lambda
     * does: {@code 500} when nothing was sent yet, otherwise the stream is cut.
     */
    private void serveHttpApp(HttpExchange ex, FunctionPool pool, Route route) throws IOException {
        String requestId = "local-" + Long.toHexString(System.currentTimeMillis()) + "-" + ids.incrementAndGet();
        ExecutionEnvironment env = pool.acquire();
        if (env == null) {
            recordThrottle(pool);
            throttled(ex, pool, requestId);
            return;
        }
        long deadline = System.currentTimeMillis() + pool.spec().timeout().toMillis();
        LocalExchange exchange = new LocalExchange(ex, Map.of(
                "x-amzn-lambda-context", "{\"request_id\":\"" + requestId + "\",\"deadline\":" + deadline
                        + ",\"invoked_function_arn\":\"arn:aws:lambda:us-east-1:123456789012:function:"
                        + pool.spec().logicalId() + "\"}",
                "x-amzn-request-context", "{\"requestId\":\"" + requestId + "\",\"resourcePath\":\""
                        + route.path() + "\",\"httpMethod\":\"" + ex.getRequestMethod() + "\",\"stage\":\"local\"}"));
        ex.getResponseHeaders().set("x-amzn-requestid", requestId);
        Runnable onTimeout = () -> {
            System.err.println(requestId + " Task timed out after " + pool.spec().timeout().toSeconds()
                    + " seconds; the environment is discarded");
            if (exchange.claim()) { // nothing sent yet: Lambda's answer; otherwise the stream is cut
                sendQuietly(ex, 500, "{\"message\":\"Internal Server Error\"}");
            }
            ex.close();
        };
        try {
            env.serve(exchange, onTimeout);
            pool.release(env);
        } catch (TimeoutException e) {
            pool.discard(env);
        } catch (Exception e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
                    ? e.getCause() : e;
            pool.discard(env);
            System.err.println(requestId + " function error: " + cause.getClass().getName());
            if (exchange.claim()) {
                send(ex, 500, Map.of("content-type", "application/json"), "{\"message\":\"Internal Server Error\"}");
            }
        }
    }

    private static void throttled(HttpExchange ex, FunctionPool pool, String requestId) throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("content-type", "application/json");
        h.put("retry-after", "1");
        h.put("apigw-requestid", requestId);
        send(ex, 429, h, "{\"error\":{\"message\":\"All " + pool.spec().reservedConcurrency()
                + " execution environments of " + pool.spec().logicalId() + " are busy (reserved "
                + "concurrency); retry later.\",\"type\":\"rate_limit_error\",\"param\":null,"
                + "\"code\":\"concurrency_limit_exceeded\"}}");
    }

    /** Sends a JSON answer, ignoring a client that already went away (used from the timeout watchdog). */
    private static void sendQuietly(HttpExchange ex, int status, String body) {
        try {
            send(ex, status, Map.of("content-type", "application/json"), body);
        } catch (IOException | RuntimeException ignored) {
            // nobody to answer
        } finally {
            ex.close();
        }
    }

    private static byte[] readBody(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_EVENT_BYTES + 1);
        return body.length > MAX_EVENT_BYTES ? null : body;
    }

    private static void send(HttpExchange ex, int status, Map<String, String> headers, String body)
            throws IOException {
        send(ex, status, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, Map<String, String> headers, byte[] body)
            throws IOException {
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        if (ex.getRequestMethod().equalsIgnoreCase("HEAD")) { // headers only, as API Gateway answers HEAD
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        byId.values().forEach(FunctionPool::shutdownGracefully); // before the tables go: spend is written
        stack.close();
        requests.shutdownNow();
    }

    /**
     * {@code java -jar switchboard-local.jar [--port N] [--template PATH] [--param Name=Value ...]}; the port also
     * comes from {@code SWITCHBOARD_PORT} (default 3000), the template is found from the working directory upwards.
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        int port = Integer.parseInt(env.getOrDefault("SWITCHBOARD_PORT", "3000"));
        Path template = null;
        Map<String, String> params = new HashMap<>();
        String invokeFunction = null;
        Path eventFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--template" -> template = Path.of(args[++i]);
                case "--param" -> {
                    String[] kv = args[++i].split("=", 2);
                    params.put(kv[0], kv.length > 1 ? kv[1] : "");
                }
                case "invoke" -> invokeFunction = args[++i];
                case "-e", "--event" -> eventFile = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: switchboard-local [--port N] [--template template.yaml] "
                            + "[--param Name=Value]...\n       switchboard-local invoke <LogicalId> [-e event.json]");
                    System.exit(2);
                }
            }
        }
        if (template == null) {
            template = findTemplate();
        }
        Path projectDir = template.toAbsolutePath().getParent();
        LocalOptions options = LocalOptions.fromEnvironment(env, projectDir);
        if (invokeFunction != null) {
            System.exit(LocalInvoke.run(template, params, options, invokeFunction, eventFile, env));
        }
        Map<String, String> processEnv = new HashMap<>(env);
        String l2;
        LocalRedis redis = null;
        if ("off".equalsIgnoreCase(env.getOrDefault("SWITCHBOARD_CACHE", "on"))) {
            l2 = "response cache off (SWITCHBOARD_CACHE=off)";
        } else if (!env.getOrDefault("SWITCHBOARD_CACHE_URL", "").isBlank()) {
            l2 = "L2 cache: " + env.get("SWITCHBOARD_CACHE_URL");
        } else if ((redis = LocalRedis.startIfInstalled(env.get("PATH"))) != null) {
            processEnv.put("SWITCHBOARD_CACHE_URL", redis.url());
            l2 = "L2 cache: redis-server on " + redis.url() + " (started by the local run)";
        } else {
            l2 = "L2 cache: none, L1 only (install redis-server or set SWITCHBOARD_CACHE_URL)";
        }
        // The dashboard (GET /dashboard) reads the functions' EMF documents from stdout, as CloudWatch reads them from
        // the log: metrics are on unless SWITCHBOARD_LOCAL_DASHBOARD=off (SWITCHBOARD_LOCAL_EMF=print also prints them)
        boolean dashboard = !"off".equalsIgnoreCase(env.getOrDefault("SWITCHBOARD_LOCAL_DASHBOARD", "on"));
        io.switchboard.local.ops.LocalMetrics metrics = null;
        if (dashboard) {
            processEnv.putIfAbsent("SWITCHBOARD_METRICS", "emf");
            metrics = new io.switchboard.local.ops.LocalMetrics(java.time.InstantSource.system());
            metrics.tapStdout("print".equalsIgnoreCase(env.get("SWITCHBOARD_LOCAL_EMF")));
        }
        LocalGateway g = start(template, port, processEnv, params, options,
                o -> System.err.println("local run: " + o.function() + " " + o.requestId() + " asynchronous invocation "
                        + (o.succeeded() ? "succeeded" : "failed after " + o.attempts() + " attempts")));
        if (metrics != null) {
            g.serveDashboard(metrics);
        }
        LocalInvoke.recordRunning(options, g.port());
        LocalRedis started = redis;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            g.close();
            if (started != null) {
                started.close();
            }
        }));
        String devKey = env.getOrDefault("SWITCHBOARD_DEV_KEY", DEFAULT_DEV_KEY);
        long sinceStart = java.time.Duration.between(
                ProcessHandle.current().info().startInstant().orElse(Instant.now()), Instant.now()).toMillis();
        StringBuilder sb = new StringBuilder();
        sb.append("Switchboard local gateway on http://127.0.0.1:").append(g.port()).append(" (ready ")
                .append(sinceStart).append(" ms after JVM start)\n");
        g.routes().forEach(r -> sb.append("  ").append(r).append('\n'));
        sb.append(l2).append('\n');
        sb.append(g.emulation(options)).append('\n');
        sb.append(dashboard ? "Dashboard: http://127.0.0.1:" + g.port() + "/dashboard (no key on loopback)\n"
                : "Dashboard: off (SWITCHBOARD_LOCAL_DASHBOARD=off)\n");
        if (env.getOrDefault("SWITCHBOARD_API_KEYS", "").isBlank()) {
            sb.append("Gateway key (local only): ").append(devKey).append('\n');
        }
        sb.append("Try:\n  curl -s http://127.0.0.1:").append(g.port()).append("/v1/chat/completions \\\n")
                .append("    -H 'Authorization: Bearer ").append(devKey).append("' -H 'Content-Type: application/json' \\\n")
                .append("    -d '{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}'\n");
        System.out.print(sb);
        System.out.flush();
    }

    private static Path findTemplate() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path t = dir.resolve("template.yaml");
            if (Files.isRegularFile(t)) {
                return t;
            }
        }
        throw new IllegalStateException("template.yaml not found here or above; pass --template");
    }
}
