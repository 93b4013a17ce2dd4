package io.switchboard.core.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.aws.AwsClients;
import io.switchboard.core.catalog.internal.DynamoDbCatalogStore;
import io.switchboard.core.catalog.testing.DynamoDbLocal;
import io.switchboard.core.config.Settings;
import io.switchboard.core.http.GatewayRequest;
import io.switchboard.core.http.GatewayResponse;
import io.switchboard.core.Gateway;
import io.switchboard.core.metrics.GatewayMetrics;
import io.switchboard.shared.config.GatewayConfig;
import io.switchboard.shared.config.Limits;
import io.switchboard.shared.config.ModelRoute;
import io.switchboard.shared.config.ProviderConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The request path's snapshots against DynamoDB Local: lazy load, refresh by generation, fallback when down. */
class CatalogSnapshotsTest {
    private static final String KEY = "sk-test-key";
    private static DynamoDbLocal dynamo;

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @BeforeAll
    static void start() throws Exception {
        dynamo = DynamoDbLocal.start();
    }

    @AfterAll
    static void stop() throws Exception {
        dynamo.close();
    }

    private static GatewayConfig config() {
        return new GatewayConfig(Map.of("mock", ProviderConfig.mock("mock", Duration.ZERO)),
                Map.of("fast", new ModelRoute("mock", "mock-1")), List.of(), Limits.DEFAULTS);
    }

    private static void write(DynamoDbCatalogStore store, long generation, Map<String, ModelRoute> aliases) {
        CatalogEntry e = new CatalogEntry("mock", "mock-1", "switchboard", 0, null, List.of(), List.of(),
                Instant.EPOCH);
        store.apply(new CatalogWrite(generation - 1, generation, List.of(e), List.of(), aliases, List.of()));
    }

    @Test
    void get_loadsLazilyAndRereadsGenerationOnlyAfterInterval() {
        DynamoDbClient client = dynamo.client();
        String table = dynamo.newTable();
        DynamoDbCatalogStore store = new DynamoDbCatalogStore(() -> client, table);
        write(store, 1, Map.of("smart", new ModelRoute("mock", "mock-1")));
        CatalogSnapshots snapshots = new CatalogSnapshots(store, config(), nanos::get, Duration.ofSeconds(5),
                Runnable::run);
        assertEquals(0, snapshots.checks(), "nothing read before first use");

        CatalogSnapshot first = snapshots.get();
        assertEquals(CatalogSnapshot.Source.CATALOG, first.source());
        assertEquals(new ModelRoute("mock", "mock-1"), first.route("smart"));
        assertEquals(new ModelRoute("mock", "mock-1"), first.route("fast"), "bundled aliases stay");
        for (int i = 0; i < 1000; i++) {
            assertSame(first, snapshots.get());
        }
        assertEquals(1, snapshots.checks(), "one generation read for 1001 lookups within the interval");

        write(store, 2, Map.of("smarter", new ModelRoute("mock", "mock-1")));
        nanos.addAndGet(Duration.ofSeconds(4).toNanos());
        assertNull(snapshots.get().route("smarter"), "not yet: the interval has not passed");
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        CatalogSnapshot second = snapshots.get();
        assertEquals(2, second.generation());
        assertNotNull(second.route("smarter"));
        assertEquals(2, snapshots.loads());

        nanos.addAndGet(Duration.ofSeconds(5).toNanos());
        assertSame(second, snapshots.get(), "same generation: no reload");
        assertEquals(3, snapshots.checks());
        assertEquals(2, snapshots.loads());
    }

    @Test
    void get_tableUnreachable_fallsBackToBundledConfiguration() throws Exception {
        DynamoDbClient dead = AwsClients.dynamoDb("us-east-1", DynamoDbLocal.deadEndpoint(), Duration.ofMillis(500),
                AwsClients.credentials());
        CatalogSnapshots snapshots = new CatalogSnapshots(new DynamoDbCatalogStore(() -> dead, "catalog"), config(),
                nanos::get, Duration.ofSeconds(5), Runnable::run);
        long start = System.nanoTime();
        CatalogSnapshot s = snapshots.get();
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(2).toNanos(), "bounded by the call timeout");
        assertEquals(CatalogSnapshot.Source.CONFIG, s.source());
        assertEquals(new ModelRoute("mock", "mock-1"), s.route("fast"));
        assertEquals(1, snapshots.failures());
        snapshots.get();
        assertEquals(1, snapshots.checks(), "a failed read is retried only after the interval");
    }

    @Test
    void aDueRefresh_runsInTheBackground_aHangingStoreDelaysNoRequest() throws Exception {
        DynamoDbClient client = dynamo.client();
        String table = dynamo.newTable();
        DynamoDbCatalogStore real = new DynamoDbCatalogStore(() -> client, table);
        write(real, 1, Map.of("smart", new ModelRoute("mock", "mock-1")));
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean hang = new java.util.concurrent.atomic.AtomicBoolean();
        CatalogStore store = new CatalogStore() {
            @Override
            public long generation() {
                if (hang.get()) {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return real.generation();
            }

            @Override
            public Catalog load() {
                return real.load();
            }

            @Override
            public int apply(CatalogWrite write) {
                return real.apply(write);
            }
        };
        java.util.List<Runnable> queued = new java.util.concurrent.CopyOnWriteArrayList<>();
        CatalogSnapshots snapshots = new CatalogSnapshots(store, config(), nanos::get, Duration.ofSeconds(5),
                queued::add);
        CatalogSnapshot first = snapshots.get();
        assertEquals(1, first.generation(), "the first load is the request's own");

        write(real, 2, Map.of("smarter", new ModelRoute("mock", "mock-1")));
        hang.set(true);
        nanos.addAndGet(Duration.ofSeconds(6).toNanos());
        assertSame(first, snapshots.get(), "a due refresh does not hold the request");
        assertSame(first, snapshots.get());
        assertEquals(1, queued.size(), "one refresh at a time");
        Thread refresh = Thread.ofVirtual().start(queued.get(0));
        assertSame(first, snapshots.get(), "while the store hangs, requests keep the current snapshot");
        release.countDown();
        refresh.join();
        assertEquals(2, snapshots.get().generation(), "the refreshed snapshot, once read");
        assertNotNull(snapshots.get().route("smarter"));
    }

    @Test
    void completion_resolvesThroughRefreshedSnapshot() throws Exception {
        DynamoDbClient client = dynamo.client();
        String table = dynamo.newTable();
        DynamoDbCatalogStore store = new DynamoDbCatalogStore(() -> client, table);
        write(store, 1, Map.of("smart", new ModelRoute("mock", "mock-1")));
        Gateway gateway = Gateway.builder(Settings.from(Map.of(
                        "SWITCHBOARD_CATALOG_TABLE", table,
                        "AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint().toString(),
                        "SWITCHBOARD_CATALOG_REFRESH_SECONDS", "5",
                        "SWITCHBOARD_API_KEYS", "t:" + Authenticator.sha256Hex(KEY))))
                .ticker(nanos::get).metrics(GatewayMetrics.noop()).build();
        assertEquals(200, chat(gateway, "smart").status());
        assertEquals(200, chat(gateway, "fast").status());
        assertEquals(404, chat(gateway, "smarter").status());

        write(store, 2, Map.of("smarter", new ModelRoute("mock", "mock-1")));
        assertEquals(404, chat(gateway, "smarter").status(), "within the interval the snapshot stands");
        nanos.addAndGet(Duration.ofSeconds(6).toNanos());
        // the first request after the interval starts the refresh in the background; later ones see its result
        int status = chat(gateway, "smarter").status();
        for (int i = 0; i < 500 && status != 200; i++) {
            Thread.sleep(10);
            status = chat(gateway, "smarter").status();
        }
        assertEquals(200, status);
        assertEquals(2, gateway.catalog().snapshots().checks());
        gateway.close();
    }

    @Test
    void completion_tableDown_servesBundledAliases() throws Exception {
        Gateway gateway = Gateway.builder(Settings.from(Map.of(
                        "SWITCHBOARD_CATALOG_TABLE", "catalog",
                        "AWS_ENDPOINT_URL_DYNAMODB", DynamoDbLocal.deadEndpoint().toString(),
                        "SWITCHBOARD_API_KEYS", "t:" + Authenticator.sha256Hex(KEY))))
                .metrics(GatewayMetrics.noop()).build();
        assertEquals(200, chat(gateway, "fast").status());
        GatewayResponse unknown = chat(gateway, "fsat");
        assertEquals(404, unknown.status());
        String body = new String(unknown.body(), StandardCharsets.UTF_8);
        assertTrue(body.contains("model_not_found") && body.contains("Did you mean 'fast'"), body);
        gateway.close();
    }

    private static GatewayResponse chat(Gateway g, String model) {
        byte[] body = ("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        return g.handle(new GatewayRequest("POST", "/v1/chat/completions", Map.of("authorization", "Bearer " + KEY,
                "content-type", "application/json"), body, "req-1", Long.MAX_VALUE));
    }
}
