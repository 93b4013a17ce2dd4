package io.switchboard.core.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.Ticker;
import io.switchboard.core.catalog.internal.DynamoDbCatalogStore;
import io.switchboard.core.catalog.testing.DynamoDbLocal;
import io.switchboard.core.catalog.testing.FakeProviders;
import io.switchboard.core.catalog.testing.RecordingPublisher;
import io.switchboard.core.config.Settings;
import io.switchboard.shared.catalog.ModelCatalogChanged;
import io.switchboard.shared.catalog.ModelRef;
import io.switchboard.shared.config.ModelRoute;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Discovery end to end against DynamoDB Local and fake providers on loopback speaking OpenAI's, Anthropic's and
 * Bedrock's wire formats (Bedrock through the real SDK client).
 */
class CatalogSyncTest {
    private static DynamoDbLocal dynamo;
    private static FakeProviders fakes;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    private final InstantSource clock = () -> now.get();
    private RecordingPublisher events;
    private DynamoDbClient client;
    private String table;

    @BeforeAll
    static void start() throws Exception {
        dynamo = DynamoDbLocal.start();
        fakes = FakeProviders.start();
    }

    @AfterAll
    static void stop() throws Exception {
        fakes.close();
        dynamo.close();
    }

    @BeforeEach
    void setUp() {
        events = new RecordingPublisher();
        client = dynamo.client();
        table = dynamo.newTable();
        fakes.openAiModels.clear();
        fakes.openAiModels.addAll(List.of("gpt-4o", "gpt-4o-mini"));
    }

    /** A configuration of {@code providers} (JSON members); the {@code fast} alias when the mock is among them. */
    static String config(String... providers) {
        String joined = String.join(",", providers);
        String models = joined.contains("\"mock\":") ? "{\"fast\":\"mock/mock-1\"}" : "{}";
        return "{\"providers\":{" + joined + "},\"models\":" + models + "}";
    }

    static String openai(String name, String path) {
        return "\"" + name + "\":{\"type\":\"openai\",\"baseUrl\":\"" + fakes.base(path) + "\",\"apiKey\":\"env:FAKE_KEY\"}";
    }

    static String anthropic() {
        return "\"anthropic\":{\"type\":\"anthropic\",\"baseUrl\":\"" + fakes.base("anthropic")
                + "\",\"apiKey\":\"env:FAKE_KEY\"}";
    }

    static String bedrock() {
        return "\"bedrock\":{\"type\":\"bedrock\"}";
    }

    static String mock() {
        return "\"mock\":{\"type\":\"mock\"}";
    }

    private ModelCatalog catalog(String config, long timeoutMs) {
        return catalog(config, timeoutMs, null);
    }

    private ModelCatalog catalog(String config, long timeoutMs, io.switchboard.core.Lazy.Listener listener) {
        Map<String, String> env = new HashMap<>();
        env.put("SWITCHBOARD_CONFIG", config);
        env.put("SWITCHBOARD_CATALOG_TABLE", table);
        env.put("SWITCHBOARD_DISCOVERY_TIMEOUT_MS", Long.toString(timeoutMs));
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint().toString());
        env.put("AWS_ENDPOINT_URL_BEDROCK", fakes.bedrockEndpoint().toString());
        env.put("FAKE_KEY", FakeProviders.KEY);
        env.put("SWITCHBOARD_METRICS", "off");
        return ModelCatalog.builder(Settings.from(env)).clock(clock).listener(listener)
                .store(new DynamoDbCatalogStore(() -> client, table)).publisher(events).build();
    }

    @Test
    void discover_fourProvidersOneHanging_finishesWithinTimeoutAndKeepsItsEntries() {
        // First run: the "slow" provider still answers (it is a plain OpenAI server at /openai).
        String healthy = config(openai("openai", "openai"), anthropic(), bedrock(), openai("slow", "openai"));
        DiscoveryReport first = catalog(healthy, 10_000).discover(); // a cold SDK client may take seconds to build
        assertEquals(Map.of(), first.failedProviders());
        assertTrue(first.added().stream().anyMatch(r -> r.name().equals("slow/gpt-4o")));
        Instant firstSeen = now.get();

        now.set(firstSeen.plus(Duration.ofHours(1)));
        String oneHangs = config(openai("openai", "openai"), anthropic(), bedrock(), openai("slow", "slow"));
        long start = System.nanoTime();
        DiscoveryReport second = catalog(oneHangs, 1_000).discover();
        long wallMs = (System.nanoTime() - start) / 1_000_000;

        assertTrue(wallMs < 2_500, "one hanging provider is bounded by its 1 s timeout, took " + wallMs + " ms");
        assertEquals(Map.of("slow", "timeout"), second.failedProviders());
        assertEquals(Map.of("openai", 2, "anthropic", 3, "bedrock", 4), second.listed());
        assertFalse(second.changedCatalog(), "nothing changed: the hanging provider's entries stay");
        assertEquals(0, second.writes());
        Catalog stored = new DynamoDbCatalogStore(() -> client, table).load();
        CatalogEntry kept = stored.models().get("slow/gpt-4o");
        assertNotNull(kept, "the hanging provider's entry is kept");
        assertEquals(firstSeen, kept.lastSeen(), "marked with when it was last seen");
    }

    @Test
    void discover_twiceWithoutChange_writesNothingAndPublishesNothing() {
        ModelCatalog catalog = catalog(config(openai("openai", "openai"), anthropic(), bedrock(), mock()), 2_000);
        DiscoveryReport first = catalog.discover();
        assertTrue(first.writes() > 0);
        assertEquals(1, events.events().size());
        long callsBefore = dynamo.writeCalls();

        now.set(now.get().plusSeconds(60));
        DiscoveryReport second = catalog.discover();

        assertEquals(0, second.writes(), "items written by a no-change run");
        assertEquals(callsBefore, dynamo.writeCalls(), "DynamoDB write calls by a no-change run");
        assertEquals(1, events.events().size(), "no event for a no-change run");
        assertFalse(second.published());
        assertEquals(first.generation(), second.generation());
    }

    @Test
    void discover_change_increasesGenerationAndPublishesTheDifference() {
        ModelCatalog catalog = catalog(config(openai("openai", "openai"), mock()), 2_000);
        DiscoveryReport first = catalog.discover();
        assertEquals(1, first.generation());
        ModelCatalogChanged e1 = events.events().get(0);
        assertEquals(0, e1.previousGeneration());
        assertTrue(e1.added().contains(new ModelRef("openai/gpt-4o", ModelRef.Kind.MODEL, "openai", "gpt-4o")));
        assertTrue(e1.added().contains(new ModelRef("fast", ModelRef.Kind.ALIAS, "mock", "mock-1")));

        fakes.openAiModels.remove("gpt-4o-mini");
        fakes.openAiModels.add("gpt-4.1");
        DiscoveryReport second = catalog.discover();

        assertEquals(2, second.generation());
        ModelCatalogChanged e2 = events.events().get(1);
        assertEquals(2, e2.generation());
        assertEquals(1, e2.previousGeneration());
        assertEquals(List.of("gpt-4.1", "openai/gpt-4.1"), e2.added().stream().map(ModelRef::name).toList());
        assertEquals(List.of("gpt-4o-mini", "openai/gpt-4o-mini"), e2.removed().stream().map(ModelRef::name).toList());
        Catalog stored = new DynamoDbCatalogStore(() -> client, table).load();
        assertEquals(2, stored.generation());
        assertEquals(new ModelRoute("openai", "gpt-4.1"), stored.aliases().get("gpt-4.1"));
    }

    @Test
    void discover_failingProvider_isReportedAndKeepsItsEntries() {
        ModelCatalog ok = catalog(config(openai("flaky", "openai"), mock()), 2_000);
        ok.discover();
        DiscoveryReport r = catalog(config(openai("flaky", "failing"), mock()), 2_000).discover();
        assertEquals(Map.of("flaky", "http_503"), r.failedProviders());
        assertEquals(0, r.writes());
        assertTrue(new DynamoDbCatalogStore(() -> client, table).load().models().containsKey("flaky/gpt-4o"));
    }

    @Test
    void discover_providerRemovedFromConfiguration_removesItsEntries() {
        catalog(config(openai("openai", "openai"), mock()), 2_000).discover();
        DiscoveryReport r = catalog(config(mock()), 2_000).discover();
        assertTrue(r.removed().stream().anyMatch(x -> x.name().equals("openai/gpt-4o")));
        assertFalse(new DynamoDbCatalogStore(() -> client, table).load().models().containsKey("openai/gpt-4o"));
    }

    @Test
    void discover_lastSeenOlderThanResolution_refreshedWithoutNewGeneration() {
        ModelCatalog catalog = catalog(config(mock()), 2_000);
        DiscoveryReport first = catalog.discover();
        now.set(now.get().plus(Duration.ofDays(2)));
        DiscoveryReport second = catalog.discover();
        assertEquals(first.generation(), second.generation());
        assertFalse(second.published());
        assertEquals(1, second.writes(), "only mock/mock-1's lastSeen");
        assertEquals(now.get(), new DynamoDbCatalogStore(() -> client, table).load().models().get("mock/mock-1")
                .lastSeen());
    }

    @Test
    void discover_anthropicPages_followedWithItsHeaders() {
        int bad = fakes.badHeaders.get();
        DiscoveryReport r = catalog(config(anthropic()), 2_000).discover();
        assertEquals(Map.of("anthropic", 3), r.listed());
        assertEquals(bad, fakes.badHeaders.get());
        Catalog c = new DynamoDbCatalogStore(() -> client, table).load();
        assertEquals(Instant.parse("2025-02-19T00:00:00Z").getEpochSecond(),
                c.models().get("anthropic/claude-sonnet-4-20250514").created());
    }

    @Test
    void discover_bedrockThroughSdk_listsActiveModelsAndProfiles() {
        DiscoveryReport r = catalog(config(bedrock()), 2_000).discover();
        assertEquals(Map.of(), r.failedProviders());
        Catalog c = new DynamoDbCatalogStore(() -> client, table).load();
        assertEquals(List.of("text", "image"), c.models().get("bedrock/amazon.nova-lite-v1:0").inputModalities());
        assertTrue(c.models().containsKey("bedrock/us.amazon.nova-lite-v1:0"));
        assertFalse(c.models().containsKey("bedrock/meta.llama3-8b-instruct-v1:0"), "legacy models are left out");
        // only what the gateway can call: chat models on demand, and the embedding models it speaks to
        assertTrue(c.models().containsKey("bedrock/amazon.titan-embed-text-v2:0"), "an embedding model it embeds with");
        assertFalse(c.models().containsKey("bedrock/stability.sd3-5-large-v1:0"), "image generation is left out");
        assertFalse(c.models().containsKey("bedrock/anthropic.claude-3-7-sonnet-20250219-v1:0"),
                "a model callable only through an inference profile is listed by its profile");
        assertFalse(c.models().containsKey("bedrock/twelvelabs.marengo-embed-2-7-v1:0"),
                "an embedding model the gateway has no body for is left out");
        // profiles: listed only when the gateway can call their models through them
        CatalogEntry claude = c.models().get("bedrock/us.anthropic.claude-3-7-sonnet-20250219-v1:0");
        assertNotNull(claude, "a profile to a model offered only through profiles, in three regions");
        assertEquals(List.of("text", "image"), claude.inputModalities(), "with its model's modalities");
        assertEquals(List.of("text"), claude.outputModalities());
        assertFalse(c.models().containsKey("bedrock/us.stability.sd3-5-large-v1:0"), "a profile to an image model");
        assertFalse(c.models().containsKey("bedrock/us.meta.llama3-8b-instruct-v1:0"), "a profile to a legacy model");
        assertFalse(c.models().containsKey("bedrock/us.twelvelabs.marengo-embed-2-7-v1:0"),
                "a profile to an embedding model the gateway has no body for");
        assertFalse(c.models().containsKey("bedrock/us.amazon.nova-premier-v1:0"),
                "a profile to a model the region does not list");
        assertFalse(c.models().containsKey("bedrock/us.empty-v1:0"), "a profile naming no model");
        assertEquals(Map.of("bedrock", 4), r.listed());
    }

    @Test
    void sdkBedrockModels_profilesFilteredByTheirModels_andOneFoundationListingForBoth() {
        software.amazon.awssdk.services.bedrock.BedrockClient sdk = io.switchboard.core.aws.AwsClients.bedrock(
                "us-east-1", fakes.bedrockEndpoint(), Duration.ofSeconds(10),
                software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("test", "test")));
        try (sdk) {
            var models = new io.switchboard.core.catalog.internal.SdkBedrockModels(() -> sdk);
            assertEquals(List.of("us.amazon.nova-lite-v1:0", "us.anthropic.claude-3-7-sonnet-20250219-v1:0"),
                    models.inferenceProfiles().stream().map(DiscoveredModel::id).toList());
            int before = fakes.requests.get();
            List<DiscoveredModel> all = models.models();
            assertEquals(2, fakes.requests.get() - before, "one ListFoundationModels, one ListInferenceProfiles page");
            assertEquals(List.of("amazon.nova-lite-v1:0", "amazon.titan-embed-text-v2:0", "us.amazon.nova-lite-v1:0",
                    "us.anthropic.claude-3-7-sonnet-20250219-v1:0"), all.stream().map(DiscoveredModel::id).toList());
        }
    }

    @Test
    void discover_bedrockProviderWithItsOwnRegion_isListedFromThatRegionByThatRegionsClient() {
        List<String> built = new java.util.concurrent.CopyOnWriteArrayList<>();
        String config = config(bedrock(), "\"bedrock-eu\":{\"type\":\"bedrock\",\"region\":\""
                + FakeProviders.EU_REGION + "\"}");
        fakes.bedrockRegions.clear();
        ModelCatalog catalog = catalog(config, 10_000, (name, nanos) -> built.add(name));

        DiscoveryReport r = catalog.discover();

        assertEquals(Map.of(), r.failedProviders());
        assertEquals(Map.of("bedrock", 4, "bedrock-eu", 2), r.listed());
        Catalog c = new DynamoDbCatalogStore(() -> client, table).load();
        assertTrue(c.models().containsKey("bedrock-eu/amazon.nova-pro-v1:0"), "the EU region's model");
        assertTrue(c.models().containsKey("bedrock-eu/eu.amazon.nova-pro-v1:0"), "the EU region's profile");
        assertFalse(c.models().containsKey("bedrock-eu/amazon.nova-lite-v1:0"), "not the function's region's");
        assertFalse(c.models().containsKey("bedrock/amazon.nova-pro-v1:0"), "and the default lists its own");
        assertTrue(c.models().containsKey("bedrock/amazon.nova-lite-v1:0"));
        assertEquals(java.util.Set.of("us-east-1", FakeProviders.EU_REGION),
                java.util.Set.copyOf(fakes.bedrockRegions), "each listing signed for its provider's region");
        assertEquals(List.of("bedrock-client", "bedrock-client-eu-west-1"),
                built.stream().filter(n -> n.startsWith("bedrock-client")).sorted().toList(),
                "one control-plane client per region");

        catalog.discover();
        assertEquals(2, built.stream().filter(n -> n.startsWith("bedrock-client")).count(), "built once each");
        catalog.close();
        catalog.discover();
        assertEquals(4, built.stream().filter(n -> n.startsWith("bedrock-client")).count(),
                "both closed with the others, and built again on the next use");
    }

    @Test
    void discover_parallelismOne_stillBoundsEachProvider() {
        ModelDiscovery d = new ModelDiscovery(Map.of(io.switchboard.shared.config.ProviderType.MOCK,
                (p, t) -> {
                    Thread.sleep(10_000);
                    return List.of();
                }), 1, Duration.ofMillis(200), Ticker.system());
        long start = System.nanoTime();
        List<ProviderListing> l = d.run(List.of(io.switchboard.shared.config.ProviderConfig.mock("a", null),
                io.switchboard.shared.config.ProviderConfig.mock("b", null)));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(List.of("timeout", "timeout"), l.stream().map(ProviderListing::failure).toList());
        assertTrue(ms < 1_500, "two providers one at a time, 200 ms each: " + ms + " ms");
    }

    /** A client of the test's DynamoDB Local that fails every write call after the first {@code writes}. */
    private static DynamoDbClient failingAfter(int writes) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return DynamoDbClient.builder().endpointOverride(dynamo.endpoint())
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("test", "test")))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.addExecutionInterceptor(
                        new software.amazon.awssdk.core.interceptor.ExecutionInterceptor() {
                            @Override
                            public void beforeExecution(
                                    software.amazon.awssdk.core.interceptor.Context.BeforeExecution context,
                                    software.amazon.awssdk.core.interceptor.ExecutionAttributes attributes) {
                                String op = context.request().getClass().getSimpleName();
                                if ((op.startsWith("Put") || op.startsWith("Delete")) && n.incrementAndGet() > writes) {
                                    throw new IllegalStateException("injected: the table went away");
                                }
                            }
                        }))
                .build();
    }

    @Test
    void discover_failingHalfWayThroughItsWrites_theRetryRaisesTheGenerationAndNamesEveryChange() {
        fakes.openAiModels.clear();
        fakes.openAiModels.addAll(List.of("m-1", "m-2", "m-3", "m-4", "m-5", "kept"));
        String config = config(openai("openai", "openai"));
        assertEquals(1, catalog(config, 2_000).discover().generation());
        fakes.openAiModels.clear();
        fakes.openAiModels.addAll(List.of("kept", "fresh"));

        DynamoDbClient healthy = client;
        client = failingAfter(4); // the pending record, the new model, two of the five deletes
        org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> catalog(config, 2_000).discover());
        client.close();
        client = healthy;
        Catalog half = new DynamoDbCatalogStore(() -> client, table).load();
        assertEquals(1, half.generation(), "the generation was not raised");
        assertEquals(5, half.models().size(), "kept, fresh and three of the five: two were deleted");
        assertEquals(1, events.events().size(), "nothing published by the failed run");

        DiscoveryReport retry = catalog(config, 2_000).discover();
        assertEquals(2, retry.generation());
        ModelCatalogChanged e = events.events().get(1);
        assertEquals(List.of("m-1", "m-2", "m-3", "m-4", "m-5", "openai/m-1", "openai/m-2", "openai/m-3",
                "openai/m-4", "openai/m-5"), e.removed().stream().map(ModelRef::name).toList(),
                "every removed model, also those the failed run deleted");
        assertEquals(List.of("fresh", "openai/fresh"), e.added().stream().map(ModelRef::name).toList());
        Catalog done = new DynamoDbCatalogStore(() -> client, table).load();
        assertEquals(java.util.Set.of("openai/kept", "openai/fresh"), done.models().keySet());
        assertTrue(new DynamoDbCatalogStore(() -> client, table).pending().isEmpty(), "nothing left pending");
        assertFalse(catalog(config, 2_000).discover().published(), "and the next run has nothing to do");
    }

    @Test
    void discover_failingAfterAllItsWrites_theRetryStillRaisesTheGeneration() {
        fakes.openAiModels.clear();
        fakes.openAiModels.addAll(List.of("a"));
        String config = config(openai("openai", "openai"));
        catalog(config, 2_000).discover();
        fakes.openAiModels.add("b");
        DynamoDbClient healthy = client;
        client = failingAfter(3); // the pending record and both items: only the generation fails
        org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> catalog(config, 2_000).discover());
        client.close();
        client = healthy;
        assertTrue(new DynamoDbCatalogStore(() -> client, table).load().models().containsKey("openai/b"),
                "written, but under the old generation: no environment reloads it");

        DiscoveryReport retry = catalog(config, 2_000).discover();
        assertEquals(2, retry.generation(), "nothing differs from the listing any more, yet the generation is raised");
        assertEquals(List.of("b", "openai/b"), events.events().get(1).added().stream().map(ModelRef::name).toList());
    }

    @Test
    void discover_publishFailingAfterTheWrite_theRetryPublishesTheChange() {
        fakes.openAiModels.clear();
        fakes.openAiModels.addAll(List.of("a"));
        String config = config(openai("openai", "openai"));
        catalog(config, 2_000).discover();
        fakes.openAiModels.add("b");
        ModelCatalog failing = ModelCatalog.builder(Settings.from(Map.of("SWITCHBOARD_CONFIG", config,
                "SWITCHBOARD_CATALOG_TABLE", table, "FAKE_KEY", FakeProviders.KEY, "SWITCHBOARD_METRICS", "off")))
                .clock(clock).store(new DynamoDbCatalogStore(() -> client, table)).publisher(e -> {
                    throw new IllegalStateException("injected: the bus is down");
                }).build();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, failing::discover);
        assertEquals(2, new DynamoDbCatalogStore(() -> client, table).load().generation(), "written");

        DiscoveryReport retry = catalog(config, 2_000).discover();
        assertEquals(2, retry.generation(), "nothing new to write");
        assertEquals(2, events.events().size(), "but the failed run's event went out");
        assertEquals(2, events.events().get(1).generation());
        assertEquals(List.of("b", "openai/b"), events.events().get(1).added().stream().map(ModelRef::name).toList());
        assertTrue(new DynamoDbCatalogStore(() -> client, table).pending().isEmpty());
    }
}
