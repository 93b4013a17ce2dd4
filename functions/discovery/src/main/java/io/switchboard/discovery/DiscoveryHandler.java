package io.switchboard.discovery;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.switchboard.core.catalog.DiscoveryReport;
import io.switchboard.core.catalog.ModelCatalog;
import io.switchboard.core.snapstart.CheckpointHooks;
import io.switchboard.core.snapstart.Checkpointable;
import io.switchboard.core.config.Settings;
import io.switchboard.core.metrics.FunctionMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Objects;

/**
 * Runs model discovery: invoked by the EventBridge schedule or on demand (any event; see
 * {@code events/discovery-on-demand.json}). Answers and logs the run's report as JSON; a run that could not reach the
 * catalog fails the invocation so the platform's retry applies.
 */
public final class DiscoveryHandler implements RequestStreamHandler,
        Checkpointable {
    private final ModelCatalog catalog;
    private final CheckpointHooks hooks;
    private final FunctionMetrics metrics;

    /** For the Lambda runtime: configured from the process environment. */
    public DiscoveryHandler() {
        this(System.getenv());
    }

    /** For local runners: configured from {@code environment} as if it were the process environment. */
    public DiscoveryHandler(Map<String, String> environment) {
        this(Settings.from(environment), System.getenv());
    }

    private DiscoveryHandler(Settings settings, Map<String, String> processEnv) {
        this(settings, FunctionMetrics.create(settings, processEnv));
    }

    private DiscoveryHandler(Settings settings, FunctionMetrics metrics) {
        this(ModelCatalog.builder(settings).listener(metrics).build(), metrics);
    }

    /** For tests: discovers through {@code catalog}. */
    DiscoveryHandler(ModelCatalog catalog) {
        this(catalog, FunctionMetrics.none());
    }

    /** For tests: discovers through {@code catalog}, recording to {@code metrics}. */
    DiscoveryHandler(ModelCatalog catalog, FunctionMetrics metrics) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.hooks = catalog.checkpointHooks(true);
        hooks.register(metrics.restoreHook());
    }

    @Override
    public CheckpointHooks checkpointHooks() {
        return hooks;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        input.readAllBytes();
        metrics.invoked();
        long start = System.nanoTime();
        DiscoveryReport report;
        try {
            report = catalog.discover();
        } catch (RuntimeException e) {
            metrics.discoveryFailed(System.nanoTime() - start, e);
            throw e;
        }
        metrics.discovered(report);
        byte[] json = ReportJson.write(report);
        System.out.println(new String(json, java.nio.charset.StandardCharsets.UTF_8));
        output.write(json);
    }
}
