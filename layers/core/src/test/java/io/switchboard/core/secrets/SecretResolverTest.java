package io.switchboard.core.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.Ticker;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.config.SecretRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SecretResolverTest {
    private static final Duration TTL = Duration.ofSeconds(300);
    private static final SecretRef OPENAI_ENV = SecretRef.parse("env:OPENAI_API_KEY");
    private static final SecretRef OPENAI_SSM = SecretRef.parse("ssm:/switchboard/openai-api-key");
    private static final SecretRef OTHER_SSM = SecretRef.parse("ssm:/switchboard/other-key");

    private final AtomicLong now = new AtomicLong(42_000_000_000L);
    private final Ticker ticker = now::get;

    /** A Parameter Store stand-in: answers from a map, fails on demand, records each read. */
    static final class FakeStore implements SecretStore {
        final Map<String, String> values = new HashMap<>();
        final List<String> reads = new ArrayList<>();
        RuntimeException failure;

        @Override
        public String read(String name) {
            reads.add(name);
            if (failure != null) {
                throw failure;
            }
            String v = values.get(name);
            if (v == null) {
                throw new IllegalStateException("ParameterNotFound: " + name);
            }
            return v;
        }
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    private SecretResolver resolver(Map<String, String> env, SecretStore store) {
        return new SecretResolver(env, store, ticker, TTL);
    }

    @Test
    void resolve_envSecret() {
        FakeStore store = new FakeStore();
        SecretResolver r = resolver(Map.of("OPENAI_API_KEY", "sk-env-value"), store);
        assertEquals("sk-env-value", r.resolve(OPENAI_ENV));
        assertTrue(store.reads.isEmpty(), "env secrets never touch SSM");
    }

    @Test
    void resolve_envSecretIsReadFromTheCopyTakenAtConstruction() {
        Map<String, String> env = new HashMap<>(Map.of("OPENAI_API_KEY", "sk-first"));
        SecretResolver r = resolver(env, new FakeStore());
        env.put("OPENAI_API_KEY", "sk-second");
        assertEquals("sk-first", r.resolve(OPENAI_ENV));
    }

    @Test
    void resolve_missingEnvIsInternalErrorNamingRefNotValues() {
        Map<String, String> env = Map.of("OTHER_KEY", "sk-other-secret-value", "SWITCHBOARD_X", "visible");
        SecretResolver r = resolver(env, new FakeStore());
        GatewayException e = assertThrows(GatewayException.class, () -> r.resolve(OPENAI_ENV));
        assertEquals(ErrorKind.INTERNAL, e.kind());
        assertEquals(500, e.status());
        assertTrue(e.getMessage().contains("env:OPENAI_API_KEY"), e.getMessage());
        assertFalse(e.getMessage().contains("sk-other-secret-value"), e.getMessage());
        assertFalse(e.getMessage().contains("visible"), e.getMessage());
    }

    @Test
    void resolve_blankEnvIsTreatedAsMissing() {
        SecretResolver r = resolver(Map.of("OPENAI_API_KEY", "   "), new FakeStore());
        GatewayException e = assertThrows(GatewayException.class, () -> r.resolve(OPENAI_ENV));
        assertEquals(ErrorKind.INTERNAL, e.kind());
        assertTrue(e.getMessage().contains("env:OPENAI_API_KEY"), e.getMessage());
    }

    @Test
    void resolve_ssmCachedWithinTtl() {
        FakeStore store = new FakeStore();
        store.values.put("/switchboard/openai-api-key", "sk-ssm-1");
        SecretResolver r = resolver(Map.of(), store);

        assertEquals("sk-ssm-1", r.resolve(OPENAI_SSM));
        store.values.put("/switchboard/openai-api-key", "sk-ssm-rotated");
        advance(TTL.minusSeconds(1));
        assertEquals("sk-ssm-1", r.resolve(OPENAI_SSM));
        assertEquals(List.of("/switchboard/openai-api-key"), store.reads, "the store is called once within the TTL");
    }

    @Test
    void resolve_ssmRefetchedAfterTtl() {
        FakeStore store = new FakeStore();
        store.values.put("/switchboard/openai-api-key", "sk-ssm-1");
        SecretResolver r = resolver(Map.of(), store);

        assertEquals("sk-ssm-1", r.resolve(OPENAI_SSM));
        store.values.put("/switchboard/openai-api-key", "sk-ssm-rotated");
        advance(TTL.plusSeconds(1));
        assertEquals("sk-ssm-rotated", r.resolve(OPENAI_SSM));
        assertEquals(2, store.reads.size());

        // and the new value gets a fresh TTL from the time it was read
        advance(TTL.minusSeconds(1));
        assertEquals("sk-ssm-rotated", r.resolve(OPENAI_SSM));
        assertEquals(2, store.reads.size());
    }

    @Test
    void resolve_ssmRefsAreCachedSeparately() {
        FakeStore store = new FakeStore();
        store.values.put("/switchboard/openai-api-key", "sk-a");
        store.values.put("/switchboard/other-key", "sk-b");
        SecretResolver r = resolver(Map.of(), store);
        assertEquals("sk-a", r.resolve(OPENAI_SSM));
        assertEquals("sk-b", r.resolve(OTHER_SSM));
        assertEquals("sk-a", r.resolve(OPENAI_SSM));
        assertEquals(List.of("/switchboard/openai-api-key", "/switchboard/other-key"), store.reads);
    }

    @Test
    void resolve_staleValueServedWhenStoreFailsAfterExpiry() {
        FakeStore store = new FakeStore();
        store.values.put("/switchboard/openai-api-key", "sk-ssm-1");
        SecretResolver r = resolver(Map.of(), store);
        assertEquals("sk-ssm-1", r.resolve(OPENAI_SSM));

        advance(TTL.plusSeconds(5));
        store.failure = new IllegalStateException("ThrottlingException");
        assertEquals("sk-ssm-1", r.resolve(OPENAI_SSM));
        assertEquals(2, store.reads.size(), "the expired value is refetched, and only served stale on failure");

        store.failure = null;
        store.values.put("/switchboard/openai-api-key", "sk-ssm-2");
        assertEquals("sk-ssm-2", r.resolve(OPENAI_SSM), "once the store recovers the new value is used");
    }

    @Test
    void resolve_failureWithoutCachedValueIsInternalError() {
        FakeStore store = new FakeStore();
        String leaked = "sk-leaked-in-sdk-message";
        store.failure = new IllegalStateException("AccessDenied for value " + leaked);
        SecretResolver r = resolver(Map.of(), store);
        GatewayException e = assertThrows(GatewayException.class, () -> r.resolve(OPENAI_SSM));
        assertEquals(ErrorKind.INTERNAL, e.kind());
        assertTrue(e.getMessage().contains("ssm:/switchboard/openai-api-key"), e.getMessage());
        assertFalse(e.getMessage().contains(leaked), e.getMessage());
        assertFalse(e.getMessage().contains("AccessDenied"), e.getMessage());
        assertEquals(store.failure, e.getCause(), "the cause is kept for logs");
    }

    @Test
    void resolve_failureIsNotCachedSoNextCallRetries() {
        FakeStore store = new FakeStore();
        store.failure = new IllegalStateException("outage");
        SecretResolver r = resolver(Map.of(), store);
        assertThrows(GatewayException.class, () -> r.resolve(OPENAI_SSM));
        store.failure = null;
        store.values.put("/switchboard/openai-api-key", "sk-back");
        assertEquals("sk-back", r.resolve(OPENAI_SSM));
        assertEquals(2, store.reads.size());
    }

    @Test
    void invalidate_forcesRefetchWithinTtl() {
        FakeStore store = new FakeStore();
        store.values.put("/switchboard/openai-api-key", "sk-1");
        SecretResolver r = resolver(Map.of(), store);
        assertEquals("sk-1", r.resolve(OPENAI_SSM));
        store.values.put("/switchboard/openai-api-key", "sk-2");
        r.invalidate();
        assertEquals("sk-2", r.resolve(OPENAI_SSM));
        assertEquals(2, store.reads.size());
    }
}
