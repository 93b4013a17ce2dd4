package io.switchboard.core.health;

import io.switchboard.core.Ticker;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.cache.L2Guard;
import io.switchboard.core.cache.L2Store;
import io.switchboard.core.catalog.CatalogSnapshot;
import io.switchboard.core.catalog.CatalogSnapshots;
import io.switchboard.core.config.Settings;
import io.switchboard.core.http.ErrorResponses;
import io.switchboard.core.http.GatewayRequest;
import io.switchboard.core.http.GatewayResponse;
import io.switchboard.core.metrics.JvmSampler;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code GET /health} of one execution environment. Without a key: {@code status}, the gateway's {@code version},
 * the function and its published version, the init timings of each lazily built component, whether L2 answers (one
 * GET of a key nobody writes, bounded by the L2 timeout; skipped while the L2 guard is open), the catalog generation
 * this environment serves, and every {@link HealthContributor}'s state (circuit breakers, when they exist). With an
 * admin key, {@code GET /health/deep} adds the configured providers (name, type, base
 * URL — never a key), the number of model names, the cache's settings, the JVM's figures and the time since the
 * environment started. Never a key, a prompt or a secret; {@code status} is {@code degraded} when L2 is configured and
 * does not answer.
 */
public final class HealthService {
    /** The route. */
    public static final String PATH = "/health";
    /** The deep variant's route (admin keys). */
    public static final String DEEP_PATH = "/health/deep";
    private static final String PROBE_KEY = "sb:v1:health";

    private final Settings settings;
    private final InitTimings timings;
    private final CatalogSnapshots catalog;
    private final L2Store l2;
    private final L2Guard guard;
    private final Authenticator admins;
    private final Ticker ticker;
    private final String version;
    private final List<HealthContributor> contributors = new CopyOnWriteArrayList<>();

    /**
     * The health of an environment.
     *
     * @param l2 the shared cache, or null without one
     * @param guard the L2 guard (null without L2)
     */
    public HealthService(Settings settings, InitTimings timings, CatalogSnapshots catalog, L2Store l2, L2Guard guard,
            Ticker ticker) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.timings = Objects.requireNonNull(timings, "timings");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.l2 = l2;
        this.guard = guard;
        this.admins = new Authenticator(settings.invalidation().adminKeys());
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.version = readVersion();
    }

    /** Adds {@code c}: its state appears under its name from the next {@code GET /health} on. */
    public void register(HealthContributor c) {
        contributors.add(Objects.requireNonNull(c, "contributor"));
    }

    /** Whether {@code request} is for this service. */
    public static boolean handles(String path) {
        return path.equals(PATH) || path.equals(DEEP_PATH);
    }

    /** Answers {@code GET /health} (or the deep variant); never throws. */
    public GatewayResponse handle(GatewayRequest request) {
        if (!request.method().equals("GET")) {
            return ErrorResponses.methodNotAllowed("GET", PATH);
        }
        boolean deep = request.path().equals(DEEP_PATH);
        try {
            if (deep) {
                admins.authenticate(request.header("authorization"));
            }
            Map<String, Object> body = report(deep);
            return new GatewayResponse(200, Map.of("content-type", "application/json", "cache-control", "no-store"),
                    Json.MAPPER.writeValueAsBytes(body));
        } catch (GatewayException e) {
            return ErrorResponses.of(e);
        } catch (IOException | RuntimeException e) {
            return ErrorResponses.internal();
        }
    }

    /** The report as JSON-ready values. */
    public Map<String, Object> report(boolean deep) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> l2State = l2State();
        out.put("status", Boolean.FALSE.equals(l2State.get("reachable")) ? "degraded" : "ok");
        out.put("version", version);
        out.put("function", settings.functionName());
        out.put("functionVersion", settings.env().getOrDefault("AWS_LAMBDA_FUNCTION_VERSION", "local"));
        out.put("init", timings.millis());
        out.put("l2", l2State);
        out.put("catalog", catalogState());
        for (HealthContributor c : contributors) {
            try {
                out.put(c.name(), c.health(deep));
            } catch (RuntimeException e) {
                out.put(c.name(), Map.of("error", e.getClass().getSimpleName()));
            }
        }
        if (deep) {
            out.put("providers", providers());
            out.put("models", settings.config().models().size());
            out.put("cache", Map.of("enabled", settings.cache().enabled(), "l2", settings.cache().hasL2(),
                    "l1MaxBytes", settings.cache().l1MaxBytes(), "ttlSeconds", settings.cache().ttl().toSeconds()));
            JvmSampler.Sample jvm = new JvmSampler().sample();
            out.put("jvm", Map.of("heapAfterGcMb", jvm.heapAfterGcBytes() / (1024 * 1024), "gcPauseMsTotal",
                    jvm.gcPauseMillis(), "threads", jvm.threads(), "uptimeMs",
                    ManagementFactory.getRuntimeMXBean().getUptime()));
        }
        return out;
    }

    private Map<String, Object> l2State() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("configured", l2 != null);
        if (l2 == null) {
            return out;
        }
        if (guard != null && guard.isOpen()) {
            out.put("reachable", false);
            out.put("guard", "open");
            return out;
        }
        long start = ticker.read();
        try {
            l2.get(PROBE_KEY);
            out.put("reachable", true);
            if (guard != null) {
                guard.success();
            }
        } catch (RuntimeException e) {
            out.put("reachable", false);
            out.put("error", e.getClass().getSimpleName());
            if (guard != null) {
                guard.failure();
            }
        }
        out.put("latencyMs", Math.round((ticker.read() - start) / 1_000.0) / 1_000.0);
        return out;
    }

    private Map<String, Object> catalogState() {
        Map<String, Object> out = new LinkedHashMap<>();
        try {
            CatalogSnapshot s = catalog.get();
            out.put("generation", s.generation());
            out.put("source", s.source().name().toLowerCase(java.util.Locale.ROOT));
            out.put("names", s.size());
        } catch (RuntimeException e) {
            out.put("error", e.getClass().getSimpleName());
        }
        return out;
    }

    private List<Map<String, Object>> providers() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ProviderConfig p : settings.config().providers().values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", p.name());
            m.put("type", p.type().name().toLowerCase(java.util.Locale.ROOT));
            if (p.baseUrl() != null) {
                m.put("baseUrl", p.baseUrl().toString());
            }
            out.add(m);
        }
        return out;
    }

    private static String readVersion() {
        try (InputStream in = HealthService.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
