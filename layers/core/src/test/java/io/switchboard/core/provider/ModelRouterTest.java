package io.switchboard.core.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.config.GatewayConfig;
import io.switchboard.shared.config.Limits;
import io.switchboard.shared.config.ModelRoute;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.config.SecretRef;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelRouterTest {

    private static final GatewayConfig CONFIG = new GatewayConfig(
            Map.of("mock", ProviderConfig.mock("mock", Duration.ZERO),
                    "openai", ProviderConfig.openai("openai", URI.create("http://127.0.0.1:1/v1"),
                            SecretRef.parse("env:OPENAI_API_KEY"), Duration.ofSeconds(5))),
            Map.of("fast", new ModelRoute("mock", "mock-1"),
                    "gpt-4o-mini", new ModelRoute("openai", "gpt-4o-mini-2024-07-18"),
                    "team/alias", new ModelRoute("mock", "aliased")),
            List.of(), Limits.DEFAULTS);

    private final ModelRouter router = new ModelRouter(CONFIG);

    private GatewayException notFound(String model) {
        GatewayException e = assertThrows(GatewayException.class, () -> router.resolve(model));
        assertEquals(ErrorKind.MODEL_NOT_FOUND, e.kind());
        assertEquals(404, e.status());
        assertEquals("model", e.param());
        assertEquals("model_not_found", e.code());
        return e;
    }

    @Test
    void resolve_aliasGoesToItsRoute() {
        assertEquals(new ModelRoute("mock", "mock-1"), router.resolve("fast"));
        assertEquals(new ModelRoute("openai", "gpt-4o-mini-2024-07-18"), router.resolve("gpt-4o-mini"));
    }

    @Test
    void resolve_aliasWinsOverExplicitRouting() {
        // "team/alias" looks explicit but is a configured alias ("team" is not even a provider)
        assertEquals(new ModelRoute("mock", "aliased"), router.resolve("team/alias"));
    }

    @Test
    void resolve_explicitProviderAndModelId() {
        assertEquals(new ModelRoute("openai", "gpt-4.1"), router.resolve("openai/gpt-4.1"));
        assertEquals(new ModelRoute("mock", "anything"), router.resolve("mock/anything"));
    }

    @Test
    void resolve_explicitModelIdKeepsExtraSlashes() {
        assertEquals(new ModelRoute("openai", "meta-llama/Llama-3.1-8B/instruct"),
                router.resolve("openai/meta-llama/Llama-3.1-8B/instruct"));
    }

    @Test
    void resolve_unknownAliasIsModelNotFound() {
        GatewayException e = notFound("gpt-5-ultra");
        assertTrue(e.getMessage().contains("'gpt-5-ultra'"), e.getMessage());
    }

    @Test
    void resolve_unknownProviderPrefixIsModelNotFound() {
        notFound("anthropic/claude-3");
        notFound("OPENAI/gpt-4o"); // provider names are case-sensitive
    }

    @ParameterizedTest
    @ValueSource(strings = {"openai/", "/gpt-4o", "/", "mock", "fast ", ""})
    void resolve_incompleteOrNearMissNamesAreModelNotFound(String model) {
        notFound(model);
    }

    @Test
    void resolve_longModelNameIsTruncatedInMessage() {
        String tail = "TAIL-MARKER";
        String model = "m".repeat(5000) + tail;
        GatewayException e = notFound(model);
        assertFalse(e.getMessage().contains(tail), "the end of an overlong name must not be echoed");
        assertTrue(e.getMessage().contains("m".repeat(100) + "..."), e.getMessage());
        assertFalse(e.getMessage().contains("m".repeat(101)), "at most 100 characters are echoed");
        assertTrue(e.getMessage().length() < 300, "message length " + e.getMessage().length());
    }

    @Test
    void resolve_controlCharactersAndQuotesAreSanitizedInMessage() {
        String model = "bad\r\nX-Injected: 1\u0000\u001b[31m'quoted'";
        GatewayException e = notFound(model);
        String msg = e.getMessage();
        for (char c : msg.toCharArray()) {
            assertFalse(Character.isISOControl(c), () -> "control character " + (int) c + " in: " + msg);
        }
        assertTrue(msg.contains("bad??X-Injected: 1??[31m?quoted?"), msg);
    }

    @Test
    void resolve_exactly100CharactersIsNotMarkedTruncated() {
        String model = "q".repeat(100);
        GatewayException e = notFound(model);
        assertTrue(e.getMessage().contains("'" + model + "'"), e.getMessage());
        assertFalse(e.getMessage().contains("..."), e.getMessage());
    }
}
