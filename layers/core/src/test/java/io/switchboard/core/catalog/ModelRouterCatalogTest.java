package io.switchboard.core.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.provider.ModelRouter;
import io.switchboard.core.provider.ProviderFactory;
import io.switchboard.core.provider.ProviderCall;
import io.switchboard.core.provider.anthropic.AnthropicProvider;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatRequest;
import io.switchboard.shared.config.GatewayConfig;
import io.switchboard.shared.config.Limits;
import io.switchboard.shared.config.ModelRoute;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.config.ProviderType;
import io.switchboard.shared.json.ChatRequestReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Name resolution through a catalog snapshot, its 404s, and providers that are listed but not callable (Bedrock). */
class ModelRouterCatalogTest {
    private static final GatewayConfig CONFIG = new GatewayConfig(Map.of(
            "mock", ProviderConfig.mock("mock", Duration.ZERO),
            "bedrock", new ProviderConfig("bedrock", ProviderType.BEDROCK, null, null, null, null, null, null)),
            Map.of("fast", new ModelRoute("mock", "mock-1")), List.of(), Limits.DEFAULTS);

    private static Catalog catalog() {
        Map<String, CatalogEntry> models = new HashMap<>();
        for (String id : List.of("gpt-4o", "gpt-4o-mini", "gpt-4.1", "o4-mini")) {
            CatalogEntry e = new CatalogEntry("openai", id, "openai", 1, null, List.of(), List.of(), Instant.EPOCH);
            models.put(e.key(), e);
        }
        CatalogEntry nova = new CatalogEntry("bedrock", "amazon.nova-lite-v1:0", "amazon", 0, 300_000,
                List.of("text"), List.of("text"), Instant.EPOCH);
        models.put(nova.key(), nova);
        return new Catalog(7, models, Map.of("nova-lite", new ModelRoute("bedrock", "amazon.nova-lite-v1:0"),
                "gpt-4o", new ModelRoute("openai", "gpt-4o")));
    }

    @Test
    void resolve_catalogAliasAndProviderId_routeToProviderModel() {
        CatalogSnapshot s = CatalogSnapshot.of(catalog(), CONFIG);
        ModelRouter router = new ModelRouter(CONFIG, () -> s);
        assertEquals(new ModelRoute("bedrock", "amazon.nova-lite-v1:0"), router.resolve("nova-lite"));
        assertEquals(new ModelRoute("bedrock", "amazon.nova-lite-v1:0"), router.resolve("bedrock/amazon.nova-lite-v1:0"));
        assertEquals(new ModelRoute("mock", "mock-1"), router.resolve("fast"));
    }

    @Test
    void snapshot_providersNotConfiguredHere_areLeftOut() {
        CatalogSnapshot s = CatalogSnapshot.of(catalog(), CONFIG);
        assertEquals(null, s.route("gpt-4o"), "openai is not configured in this environment");
        assertEquals(null, s.route("openai/gpt-4o"));
    }

    @Test
    void resolve_unknown_404NamesUpToThreeCloseMatches() {
        GatewayConfig withOpenAi = CONFIG.withProvider(ProviderConfig.openai("openai",
                URI.create("http://127.0.0.1:9/v1"), null, null));
        CatalogSnapshot s = CatalogSnapshot.of(catalog(), withOpenAi);
        ModelRouter router = new ModelRouter(withOpenAi, () -> s);
        GatewayException e = assertThrows(GatewayException.class, () -> router.resolve("gpt-4"));
        assertEquals(404, e.status());
        assertEquals("model_not_found", e.code());
        assertEquals("model", e.param());
        assertTrue(e.getMessage().endsWith("Did you mean 'gpt-4o', 'openai/gpt-4o' or 'openai/gpt-4.1'?"),
                e.getMessage());
    }

    @Test
    void resolve_longUnknownName_echoesAtMost100Characters() {
        ModelRouter router = new ModelRouter(CONFIG);
        String name = "x".repeat(5000) + "'\n";
        GatewayException e = assertThrows(GatewayException.class, () -> router.resolve(name));
        assertTrue(e.getMessage().length() < 200, e.getMessage());
        assertTrue(e.getMessage().contains("x".repeat(100) + "..."));
        assertTrue(!e.getMessage().contains("x".repeat(101)));
    }

    @Test
    void snapshotRoute_hit_allocatesNothing() {
        CatalogSnapshot s = CatalogSnapshot.of(catalog(), CONFIG);
        var bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        String name = "nova-lite";
        long sink = 0;
        for (int i = 0; i < 20_000; i++) {
            sink += s.route(name).hashCode();
        }
        long before = bean.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            sink += s.route(name).hashCode();
        }
        long allocated = bean.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 10_000, "100,000 lookups allocated " + allocated + " bytes (" + sink + ")");
    }

    @Test
    void providerFactory_anthropic_isCallable() {
        ProviderFactory f = new ProviderFactory(() -> null, null, InstantSource.system(), d -> { }, null);
        ProviderConfig c = new ProviderConfig("p", ProviderType.ANTHROPIC, URI.create("http://127.0.0.1:9/v1"), null,
                null, null, null, null);
        assertTrue(f.create(c) instanceof AnthropicProvider);
    }

}
