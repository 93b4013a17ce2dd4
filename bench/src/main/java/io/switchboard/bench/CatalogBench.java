package io.switchboard.bench;

import io.switchboard.core.Ticker;
import io.switchboard.core.catalog.CatalogSnapshot;
import io.switchboard.core.catalog.CatalogSnapshots;
import io.switchboard.core.catalog.DiscoveryReport;
import io.switchboard.core.catalog.ModelCatalog;
import io.switchboard.core.catalog.internal.DynamoDbCatalogStore;
import io.switchboard.core.catalog.internal.SdkBedrockModels;
import io.switchboard.core.catalog.testing.DynamoDbLocal;
import io.switchboard.core.catalog.testing.FakeProviders;
import io.switchboard.core.catalog.testing.RecordingPublisher;
import io.switchboard.core.config.Settings;
import io.switchboard.core.provider.ModelRouter;
import io.switchboard.shared.config.ModelRoute;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrock.BedrockClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The model catalog's figures, everything on loopback: discovery wall time for four providers (OpenAI, Anthropic,
 * Bedrock through the SDK, and one OpenAI-compatible provider that never answers) with DynamoDB Local embedded; the
 * DynamoDB write calls of a second run that finds no change; and the cost per call of resolving a model name on the
 * request path ({@link ModelRouter#resolve} through {@link CatalogSnapshots}, refresh interval 5 s).
 *
 * <pre>java -Dsqlite4java.library.path=bench/target/lib -cp bench/target/switchboard-bench.jar \
 *     io.switchboard.bench.CatalogBench [--timeout-ms 2000] [--lookups 20000000]</pre>
 */
public final class CatalogBench {
    private CatalogBench() {
    }

    public static void main(String[] args) throws Exception {
        long timeoutMs = 2_000;
        long lookups = 20_000_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--timeout-ms" -> timeoutMs = Long.parseLong(args[++i]);
                case "--lookups" -> lookups = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (System.getProperty("sqlite4java.library.path") == null) {
            System.setProperty("sqlite4java.library.path", "bench/target/lib");
        }
        try (DynamoDbLocal dynamo = DynamoDbLocal.start(); FakeProviders fakes = FakeProviders.start()) {
            String table = dynamo.newTable();
            DynamoDbClient client = dynamo.client();
            Map<String, String> env = new HashMap<>();
            env.put("SWITCHBOARD_CONFIG", "{\"providers\":{"
                    + "\"openai\":{\"type\":\"openai\",\"baseUrl\":\"" + fakes.base("openai")
                    + "\",\"apiKey\":\"env:FAKE_KEY\"},"
                    + "\"anthropic\":{\"type\":\"anthropic\",\"baseUrl\":\"" + fakes.base("anthropic")
                    + "\",\"apiKey\":\"env:FAKE_KEY\"},"
                    + "\"bedrock\":{\"type\":\"bedrock\"},"
                    + "\"hanging\":{\"type\":\"openai\",\"baseUrl\":\"" + fakes.base("slow") + "\"}},"
                    + "\"models\":{\"smart\":\"openai/gpt-4o\",\"haiku\":\"anthropic/claude-3-5-haiku-20241022\"}}");
            env.put("FAKE_KEY", FakeProviders.KEY);
            env.put("SWITCHBOARD_DISCOVERY_TIMEOUT_MS", Long.toString(timeoutMs));
            env.put("SWITCHBOARD_METRICS", "off");
            BedrockClient bedrock = BedrockClient.builder().endpointOverride(fakes.bedrockEndpoint())
                    .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("b", "b")))
                    .build();
            RecordingPublisher events = new RecordingPublisher();
            DynamoDbCatalogStore store = new DynamoDbCatalogStore(() -> client, table);
            ModelCatalog catalog = ModelCatalog.builder(Settings.from(env)).store(store).publisher(events)
                    .bedrockModels(new SdkBedrockModels(() -> bedrock)).build();

            DiscoveryReport first = catalog.discover();
            long callsBefore = dynamo.writeCalls();
            DiscoveryReport second = catalog.discover();
            long noChangeCalls = dynamo.writeCalls() - callsBefore;

            System.out.printf("discovery, 4 providers, 1 hanging (timeout %d ms): first run %d ms, second run %d ms;"
                    + " failed %s; listed %s%n", timeoutMs, first.wallNanos() / 1_000_000,
                    second.wallNanos() / 1_000_000, second.failedProviders(), second.listed());
            System.out.printf("first run: generation %d, %d items written, %d event(s)%n", first.generation(),
                    first.writes(), events.events().size());
            System.out.printf("no-change run: %d items written, %d DynamoDB write calls, %d event(s) in total%n",
                    second.writes(), noChangeCalls, events.events().size());

            CatalogSnapshots snapshots = new CatalogSnapshots(store, Settings.from(env).config(), Ticker.system(),
                    Duration.ofSeconds(5));
            ModelRouter router = new ModelRouter(Settings.from(env).config(), snapshots);
            CatalogSnapshot s = snapshots.get();
            List<String> names = s.models().stream().map(m -> m.id()).toList();
            String[] rotation = names.toArray(String[]::new);
            long sink = 0;
            for (int round = 0; round < 3; round++) {
                for (long i = 0; i < lookups / 4; i++) {
                    ModelRoute r = router.resolve(rotation[(int) (i % rotation.length)]);
                    sink += r.providerModel().length();
                }
            }
            long start = System.nanoTime();
            for (long i = 0; i < lookups; i++) {
                ModelRoute r = router.resolve(rotation[(int) (i % rotation.length)]);
                sink += r.providerModel().length();
            }
            double ns = (System.nanoTime() - start) / (double) lookups;
            long directStart = System.nanoTime();
            for (long i = 0; i < lookups; i++) {
                sink += s.route(rotation[(int) (i % rotation.length)]).providerModel().length();
            }
            double directNs = (System.nanoTime() - directStart) / (double) lookups;
            System.out.printf("lookup on the request path: %.1f ns per ModelRouter.resolve (snapshot hash lookup"
                    + " alone %.1f ns), %d names, %d generation reads during %d lookups (sink %d)%n", ns, directNs,
                    rotation.length, snapshots.checks(), lookups, sink % 10);
            bedrock.close();
            client.close();
        }
        System.exit(0);
    }
}
