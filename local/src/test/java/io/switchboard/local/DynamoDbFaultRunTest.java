package io.switchboard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import io.switchboard.core.governance.Price;
import io.switchboard.core.governance.PriceTable;
import io.switchboard.core.governance.UsageStore;
import io.switchboard.core.governance.internal.DynamoDbUsageStore;
import io.switchboard.local.FaultLoad.Latency;
import io.switchboard.local.FaultLoad.Result;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * DynamoDB Local stops in the middle of a steady load through the local run and comes back: the keys table (a stored
 * key that the environments have read keeps working, a key they never read gets the README's 500), the usage table
 * (spend whose write fails stays buffered and is written once the table is back: the final sum is exact) and the
 * catalog (a model only the DynamoDB catalog knows keeps resolving from the environments' snapshots, and
 * {@code GET /v1/models} keeps listing it).
 */
class DynamoDbFaultRunTest {
    static final int CLIENTS = 4;
    /** Environments warmed (each reads the stored key) before the outage. */
    static final int WARM_ENVIRONMENTS = 6;
    /** A model only discovery finds (so only the DynamoDB catalog knows it), with a price of odd decimals. */
    static final String MODEL = "sb-fault-model";
    static final String PRICES = "{\"" + MODEL + "\":{\"input\":1.234567,\"output\":7.654321}}";

    @Test
    void dynamoDbStopped_underLoad_keysSpendAndCatalogHold(@TempDir Path data) throws Exception {
        LocalDate day = LocalDate.now(ZoneOffset.UTC);
        long answered;
        List<Result> all;
        try (FaultUpstream upstream = new FaultUpstream().models(List.of(MODEL));
                FaultStack stack = FaultStack.start(Map.of("UP_KEY", "sk-up", "SWITCHBOARD_CACHE", "off",
                        "SWITCHBOARD_PRICES", PRICES, "SWITCHBOARD_KEY_CACHE_MS", "1000",
                        "SWITCHBOARD_CONFIG", FaultStack.config(FaultStack.provider("up", upstream.baseUrl()),
                                "{\"fast\":\"up/m\"}")), data, true, false, Duration.ofMillis(200))) {
            String report = new String(stack.gateway().invoke("DiscoveryFunction",
                    java.nio.file.Files.readAllBytes(Project.dir().resolve("events/discovery-on-demand.json"))));
            assertTrue(report.contains(MODEL), report);
            String key = stack.newKey("{\"tenant\":\"spend\",\"name\":\"app\"}");
            String neverRead = stack.newKey("{\"tenant\":\"spend\",\"name\":\"other\"}");
            FaultStack.await("the catalog snapshot with " + MODEL, Duration.ofSeconds(20),
                    () -> stack.send(stack.chat(key, FaultStack.chatBody(MODEL, 1, "warm"))).ok());
            assertEquals(200, stack.get("/v1/models/" + MODEL, key).status(), "models function warm");
            // Stale-if-error is per environment: one created during the outage has read no key and answers 500
            // (the README). Warm more environments than the run needs at once (slow requests side by side), so every
            // request of the run lands in one that has read the key.
            upstream.policy(body -> body.contains("warm environment") ? new FaultUpstream.Slow(700)
                    : FaultUpstream.HEALTHY);
            List<java.util.concurrent.CompletableFuture<Result>> burst = new java.util.ArrayList<>();
            for (int i = 0; i < WARM_ENVIRONMENTS; i++) {
                String text = "warm environment " + i;
                burst.add(java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> stack.send(stack.chat(key, FaultStack.chatBody(MODEL, 1, text))),
                        java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()));
            }
            for (var f : burst) {
                assertEquals("200", f.get().outcome(), f.get().body());
            }
            upstream.always(FaultUpstream.HEALTHY);

            FaultLoad load = FaultLoad.start(CLIENTS, (client, n) -> stack.chat(key,
                    FaultStack.chatBody(MODEL, 1, "spend " + client + " " + n)));
            try {
                load.awaitMore(150, Duration.ofSeconds(15));
                // Stop between invocations: a usage write cut in flight could land and then be retried (the README's
                // documented double count of a retried ADD); this run is about writes that fail cleanly.
                load.hold();
                Thread.sleep(300);
                long down = FaultLoad.mark();
                int envsBefore = stack.gateway().environments("CompletionStreamFunction");
                stack.gateway().stopDynamoDb();
                load.release();
                Thread.sleep(1000); // past the key cache's 1 s: every key read now fails and the stale entry is used
                load.hold(); // the probes take a warm environment, not a new one
                Result unknown = stack.send(stack.chat(neverRead, FaultStack.chatBody(MODEL, 1, "never read")));
                Result models = stack.get("/v1/models", key);
                load.release();
                Thread.sleep(1000);
                long up = FaultLoad.mark();
                int envsDuring = stack.gateway().environments("CompletionStreamFunction");
                stack.gateway().restartDynamoDb();
                load.awaitMore(150, Duration.ofSeconds(15));
                load.close();
                all = load.results();

                List<Result> during = load.overlapping(down, up);
                System.out.printf("DynamoDB stopped for %.0f ms under %d clients (%d environments, %d at the end): %d "
                        + "requests, outcomes %s%n  before: %s%n  during: %s%n  after:  %s%n  unknown key during: %s; "
                        + "GET /v1/models: %d%n", (up - down) / 1e6, CLIENTS, envsBefore, envsDuring, all.size(),
                        FaultLoad.outcomes(all),
                        Latency.of(load.startedBetween(0, down)), Latency.of(during),
                        Latency.of(load.startedBetween(up, Long.MAX_VALUE)), unknown.outcome(), models.status());

                assertEquals(Map.of("200", all.size()), FaultLoad.outcomes(all), "the stored key kept working");
                assertTrue(during.size() >= CLIENTS, "load went on during the outage: " + during.size());
                assertEquals("500 internal_error", unknown.outcome(), "the README: an unknown key gets 500");
                assertTrue(unknown.body().contains("could not check the key"), unknown.body());
                assertEquals(200, models.status(), models.body());
                assertTrue(models.body().contains("\"up/" + MODEL + "\""), "listed from the last snapshot");
                answered = FaultLoad.count(all, Result::ok) + 1 + WARM_ENVIRONMENTS; // and the warm-up requests
            } finally {
                load.close();
            }
        }
        // The stack is closed: every environment wrote its buffer as it shut down. Read the table from its folder.
        BigDecimal unit;
        Price price = PriceTable.withOverrides(PRICES).price(MODEL);
        unit = price.cost(9, 0, 3);
        try (ReopenedDynamoDb db = new ReopenedDynamoDb(data.resolve("dynamodb"))) {
            String table = db.client.listTables().tableNames().stream().filter(t -> t.contains("Usage")).findFirst()
                    .orElseThrow();
            List<UsageStore.UsageRow> rows = new DynamoDbUsageStore(() -> db.client, table).read("spend",
                    day.minusDays(1), day.plusDays(1));
            long requests = rows.stream().mapToLong(r -> r.totals().requests()).sum();
            BigDecimal cost = rows.stream().map(r -> r.totals().costUsd()).reduce(BigDecimal.ZERO, BigDecimal::add);
            System.out.printf("  spend: %d answers, usage table %d requests, %s USD (expected %s)%n", answered,
                    requests, cost.toPlainString(), unit.multiply(BigDecimal.valueOf(answered)).toPlainString());
            assertEquals(answered, requests, "every answered request counted once");
            assertEquals(0, unit.multiply(BigDecimal.valueOf(answered)).compareTo(cost), "spend exact: " + cost);
        }
    }

    /** DynamoDB Local on the stack's folder again, after the stack is gone. */
    private static final class ReopenedDynamoDb implements AutoCloseable {
        final DynamoDBProxyServer server;
        final DynamoDbClient client;

        ReopenedDynamoDb(Path folder) throws Exception {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            server = ServerRunner.createServerFromCommandLineArgs(new String[] {"-port", Integer.toString(port),
                "-disableTelemetry", "-dbPath", folder.toString(), "-sharedDb"});
            server.start();
            client = DynamoDbClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + port))
                    .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(
                            AwsBasicCredentials.create("local", "local")))
                    .httpClient(UrlConnectionHttpClient.create()).build();
        }

        @Override
        public void close() throws Exception {
            client.close();
            server.stop();
        }
    }
}
