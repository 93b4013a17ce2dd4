package io.switchboard.discovery;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.switchboard.core.catalog.DiscoveryReport;
import io.switchboard.core.catalog.ModelCatalog;
import io.switchboard.core.snapstart.CheckpointHooks;
import io.switchboard.core.snapstart.Checkpointable;
import io.switchboard.core.config.Settings;
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

    /** For the Lambda runtime: configured from the process environment. */
    public DiscoveryHandler() {
        this(System.getenv());
    }

    /** For local runners: configured from {@code environment} as if it were the process environment. */
    public DiscoveryHandler(Map<String, String> environment) {
        this(ModelCatalog.builder(Settings.from(environment)).build());
    }

    /** For tests: discovers through {@code catalog}. */
    DiscoveryHandler(ModelCatalog catalog) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.hooks = catalog.checkpointHooks(true);
    }

    @Override
    public CheckpointHooks checkpointHooks() {
        return hooks;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        input.readAllBytes();
        DiscoveryReport report = catalog.discover();
        byte[] json = ReportJson.write(report);
        System.out.println(new String(json, java.nio.charset.StandardCharsets.UTF_8));
        output.write(json);
    }
}
