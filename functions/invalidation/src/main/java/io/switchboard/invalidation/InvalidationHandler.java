package io.switchboard.invalidation;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.switchboard.core.Ticker;
import io.switchboard.core.aws.AwsClients;
import io.switchboard.core.cache.InvalidationScope;
import io.switchboard.core.cache.InvalidationStore;
import io.switchboard.core.cache.ValkeyL2Store;
import io.switchboard.core.snapstart.CheckpointHooks;
import io.switchboard.core.snapstart.Checkpointable;
import io.switchboard.core.catalog.ModelCatalog;
import io.switchboard.core.config.MetricsMode;
import io.switchboard.core.config.Settings;
import io.switchboard.core.invalidation.CacheInvalidator;
import io.switchboard.core.invalidation.InvalidationMetrics;
import io.switchboard.core.invalidation.InvalidationResult;
import io.switchboard.core.invalidation.internal.PowertoolsInvalidationMetrics;
import io.switchboard.core.provider.ModelRouter;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.cache.CacheInvalidationRequested;
import io.switchboard.shared.cache.InvalidationJson;
import io.switchboard.shared.catalog.CatalogJson;
import io.switchboard.shared.catalog.ModelCatalogChanged;
import io.switchboard.shared.config.ApiKeyEntry;
import io.switchboard.shared.config.ModelRoute;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Consumes {@code CacheInvalidationRequested} and {@code ModelCatalogChanged} from the project's EventBridge bus:
 * removes the affected entries from L2 and records them in the invalidation log the completion environments' L1s
 * follow. Answers (and logs) what it did as JSON. Any failure — L2 unreachable, an event it cannot read — fails the
 * invocation, so Lambda's retries and then the dead-letter queue apply; redelivery is harmless.
 */
public final class InvalidationHandler implements RequestStreamHandler, Checkpointable {
    private final CacheInvalidator invalidator;
    private final CheckpointHooks hooks = new CheckpointHooks(true);
    private final InvalidationMetrics metrics;
    private final Ticker ticker;

    /** For the Lambda runtime: configured from the process environment. */
    public InvalidationHandler() {
        this(System.getenv());
    }

    /** For local runners: configured from {@code environment} as if it were the process environment. */
    public InvalidationHandler(Map<String, String> environment) {
        this(Settings.from(environment), System.getenv());
    }

    /** The function's composition root: L2, metrics and (in the test constructor) the catalog and invalidator. */
    private InvalidationHandler(Settings settings, Map<String, String> processEnv) {
        this(settings.cache().hasL2() ? new ValkeyL2Store(settings.cache(), settings.region(),
                        () -> AwsClients.credentials(settings.env()).resolveCredentials(),
                        Clock.systemUTC(), Ticker.system(), null) : null,
                settings, settings.metrics() == MetricsMode.OFF ? InvalidationMetrics.noop()
                        : PowertoolsInvalidationMetrics.create(settings, processEnv), Ticker.system());
    }

    /** For tests: invalidates in {@code store} (null: no L2, nothing to do). */
    InvalidationHandler(InvalidationStore store, Settings settings, InvalidationMetrics metrics, Ticker ticker) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        if (store == null) {
            this.invalidator = null;
        } else {
            ModelCatalog catalog = ModelCatalog.builder(settings).ticker(ticker).build();
            ModelRouter router = new ModelRouter(settings.config(), catalog.snapshots());
            // SnapStart: no L2 connection or catalog client survives into the snapshot; both reopen lazily
            hooks.register(CheckpointHooks.closing("catalog-clients", catalog));
            if (store instanceof AutoCloseable closeable) {
                hooks.register(CheckpointHooks.closing("l2-connection", closeable));
            }
            List<String> tenants = settings.config().apiKeys().stream().map(ApiKeyEntry::tenant).distinct().toList();
            this.invalidator = new CacheInvalidator(store, name -> model(router, name), tenants,
                    settings.invalidation(), ticker);
        }
    }

    @Override
    public CheckpointHooks checkpointHooks() {
        return hooks;
    }

    /** {@code provider/model} for a catalog name, or for a {@code provider/model-id} the catalog no longer has. */
    static String model(ModelRouter router, String name) {
        try {
            ModelRoute r = router.resolve(name);
            return r.provider() + "/" + r.providerModel();
        } catch (GatewayException e) {
            int slash = name.indexOf('/');
            if (slash > 0 && slash < name.length() - 1) {
                return name;
            }
            throw new IllegalArgumentException("model names no known model (use provider/model-id)");
        }
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        long start = ticker.read();
        Envelope event = null;
        try {
            event = Envelope.read(input.readAllBytes());
            InvalidationResult result = handle(event);
            metrics.processed(event.detailType(), result);
            byte[] json = write(event, result);
            System.out.println(new String(json, StandardCharsets.UTF_8));
            output.write(json);
        } catch (RuntimeException e) {
            String type = event == null ? "unreadable" : event.detailType();
            metrics.failed(type, ticker.read() - start);
            System.err.println("{\"level\":\"ERROR\",\"message\":\"invalidation failed; the event will be retried\","
                    + "\"eventId\":\"" + (event == null ? "" : event.id().replaceAll("[^A-Za-z0-9_.:-]", ""))
                    + "\",\"detailType\":\"" + type.replaceAll("[^A-Za-z]", "") + "\",\"cause\":\""
                    + e.getClass().getName() + "\"}");
            throw e;
        }
    }

    private InvalidationResult handle(Envelope event) {
        List<InvalidationScope> scopes;
        if (CacheInvalidationRequested.DETAIL_TYPE.equals(event.detailType())) {
            CacheInvalidationRequested request;
            try {
                request = InvalidationJson.read(event.detail());
            } catch (GatewayException e) {
                throw new IllegalArgumentException("invalid CacheInvalidationRequested: " + e.getMessage());
            }
            if (invalidator == null) {
                return new InvalidationResult(event.id(), false, -1, 0, 0, 0);
            }
            scopes = invalidator.scopes(request);
        } else if (ModelCatalogChanged.DETAIL_TYPE.equals(event.detailType())) {
            ModelCatalogChanged changed = CatalogJson.readChanged(event.detail().toString()
                    .getBytes(StandardCharsets.UTF_8));
            if (invalidator == null) {
                return new InvalidationResult(event.id(), false, -1, 0, 0, 0);
            }
            scopes = invalidator.scopes(changed);
        } else {
            throw new IllegalArgumentException("unsupported detail-type");
        }
        return invalidator.invalidate(event.id(), scopes);
    }

    private static byte[] write(Envelope event, InvalidationResult r) {
        var n = Json.MAPPER.createObjectNode();
        n.put("eventId", r.eventId());
        n.put("detailType", event.detailType());
        n.put("duplicate", r.duplicate());
        n.put("sequence", r.sequence());
        n.put("scopes", r.scopes());
        n.put("removed", r.removed());
        n.put("millis", r.nanos() / 1e6);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }
}
