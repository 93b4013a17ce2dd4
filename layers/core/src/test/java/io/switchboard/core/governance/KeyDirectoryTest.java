package io.switchboard.core.governance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.catalog.testing.DynamoDbLocal;
import io.switchboard.core.governance.internal.DynamoDbKeyStore;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.config.ApiKeyEntry;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The key store on DynamoDB Local and the request path's directory over it, in several emulated environments. */
class KeyDirectoryTest {
    private static final AtomicInteger TABLES = new AtomicInteger();
    private static DynamoDbLocal dynamo;
    private static DynamoDbClient client;

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final Instant now = Instant.parse("2026-12-02T12:00:00Z");

    @BeforeAll
    static void start() throws Exception {
        dynamo = DynamoDbLocal.start();
        client = dynamo.client();
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        dynamo.close();
    }

    static String newKeysTable(DynamoDbClient c) {
        String t = "keys-" + TABLES.incrementAndGet();
        DynamoDbKeyStore.createTable(c, t);
        return t;
    }

    static KeyRecord key(String id, String secret, String tenant) {
        Instant t = Instant.parse("2026-12-01T00:00:00Z");
        return new KeyRecord(id, Authenticator.sha256Hex(secret), tenant, "app", List.of("gpt-4o*", "mock-1"), 10,
                1000, new BigDecimal("1.5"), null, null, false, Map.of("team", "a"), t, t, 1);
    }

    private KeyDirectory directory(KeyStore store, List<ApiKeyEntry> env) {
        return new KeyDirectory(new Authenticator(env), store, Duration.ofSeconds(4), Duration.ofSeconds(60),
                nanos::get, InstantSource.fixed(now));
    }

    @Test
    void store_roundTrips_listsByTenant_rotates_deletes() {
        DynamoDbKeyStore store = new DynamoDbKeyStore(() -> client, newKeysTable(client));
        KeyRecord a = key("key_00000000000000a1", "sk-a", "acme");
        store.create(a);
        store.create(key("key_00000000000000a2", "sk-b", "acme"));
        store.create(key("key_00000000000000b1", "sk-c", "other"));
        assertEquals(a, store.findByHash(Authenticator.sha256Hex("sk-a")).orElseThrow());
        assertEquals(a, store.get(a.id()).orElseThrow());
        assertThrows(IllegalStateException.class, () -> store.create(a), "ids and hashes are unique");

        KeyPage first = store.list("acme", 1, null);
        assertEquals(1, first.keys().size());
        KeyPage second = store.list("acme", 1, first.next());
        assertEquals(1, second.keys().size());
        Set<String> ids = new HashSet<>(List.of(first.keys().get(0).id(), second.keys().get(0).id()));
        assertEquals(Set.of("key_00000000000000a1", "key_00000000000000a2"), ids);
        assertEquals(3, store.list(null, 10, null).keys().size());

        KeyRecord rotated = a.withHash(Authenticator.sha256Hex("sk-a2"), now);
        assertTrue(store.replace(a, rotated));
        assertTrue(store.findByHash(Authenticator.sha256Hex("sk-a")).isEmpty(), "the old key is gone");
        assertEquals(rotated, store.findByHash(Authenticator.sha256Hex("sk-a2")).orElseThrow());
        assertTrue(!store.replace(a, rotated), "a stale version is refused");

        assertTrue(store.delete(rotated));
        assertTrue(store.get(a.id()).isEmpty());
        assertTrue(store.findByHash(rotated.hash()).isEmpty());

        store.putTenantLimits(new TenantLimits("acme", 100, 5000));
        assertEquals(new TenantLimits("acme", 100, 5000), store.tenantLimits("acme"));
        assertEquals(TenantLimits.none("nobody"), store.tenantLimits("nobody"));
    }

    @Test
    void revokedKey_failsInEveryEnvironment_withinTheBound() {
        DynamoDbKeyStore store = new DynamoDbKeyStore(() -> client, newKeysTable(client));
        KeyRecord k = key("key_00000000000000c1", "sk-revoke-me", "acme");
        store.create(k);
        List<KeyDirectory> environments = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            environments.add(directory(store, List.of()));
        }
        long[] readAt = new long[4];
        for (int i = 0; i < 4; i++) {
            nanos.addAndGet(Duration.ofMillis(700).toNanos()); // the environments read at different times
            readAt[i] = nanos.get();
            assertEquals("acme", environments.get(i).resolve("Bearer sk-revoke-me").tenant().id());
        }
        KeyRecord revoked = new KeyRecord(k.id(), k.hash(), k.tenant(), k.name(), k.models(), k.rpm(), k.tpm(),
                k.budgetDailyUsd(), k.budgetMonthlyUsd(), k.expiresAt(), true, k.metadata(), k.createdAt(), now, 2);
        assertTrue(store.replace(k, revoked));
        long revokedAt = nanos.get();
        long bound = Duration.ofSeconds(4).toNanos();
        // every environment refuses the key by revokedAt + 4 s (plus its one read): step through the bound
        boolean[] refused = new boolean[4];
        for (long t = revokedAt; t <= revokedAt + bound; t += Duration.ofMillis(100).toNanos()) {
            nanos.set(t);
            for (int i = 0; i < 4; i++) {
                try {
                    environments.get(i).resolve("Bearer sk-revoke-me");
                    assertTrue(t - readAt[i] < bound, "environment " + i + " served a revoked key past its TTL");
                } catch (GatewayException e) {
                    assertEquals(401, e.status());
                    assertTrue(e.getMessage().contains("revoked"));
                    refused[i] = true;
                }
            }
        }
        for (int i = 0; i < 4; i++) {
            assertTrue(refused[i], "environment " + i + " refuses the key within the bound");
        }
    }

    @Test
    void environmentKeys_areBreakGlass_evenWithTheTableDown() throws Exception {
        DynamoDbClient dead = DynamoDbClient.builder().endpointOverride(DynamoDbLocal.deadEndpoint())
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("t", "t")))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build();
        KeyDirectory d = directory(new DynamoDbKeyStore(() -> dead, "keys"),
                List.of(new ApiKeyEntry("ops", Authenticator.sha256Hex("sk-break-glass"))));
        Principal p = d.resolve("Bearer sk-break-glass");
        assertEquals("ops", p.tenant().id());
        assertNull(p.key(), "an environment key has no limits and every model");
        GatewayException e = assertThrows(GatewayException.class, () -> d.resolve("Bearer sk-stored"));
        assertEquals(500, e.status(), "an unreadable table is not an unknown key");
        assertTrue(!e.getMessage().contains("sk-stored"));
        dead.close();
    }

    @Test
    void tableDown_staleEntriesServed_andTheTableAskedAtMostOncePerSecond() throws Exception {
        DynamoDbClient dead = DynamoDbClient.builder().endpointOverride(DynamoDbLocal.deadEndpoint())
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("t", "t")))
                .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofMillis(300)))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build();
        String table = newKeysTable(client);
        new DynamoDbKeyStore(() -> client, table).create(key("key_00000000000000e1", "sk-stale", "acme"));
        java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean();
        AtomicInteger deadReads = new AtomicInteger();
        KeyDirectory d = directory(new DynamoDbKeyStore(() -> {
            if (down.get()) {
                deadReads.incrementAndGet();
                return dead;
            }
            return client;
        }, table), List.of());
        assertEquals("acme", d.resolve("Bearer sk-stale").tenant().id());

        down.set(true);
        nanos.addAndGet(Duration.ofSeconds(5).toNanos()); // past the 4 s the read is trusted
        for (int i = 0; i < 10; i++) {
            assertEquals("acme", d.resolve("Bearer sk-stale").tenant().id(), "stale-if-error");
            assertEquals(500, assertThrows(GatewayException.class, () -> d.resolve("Bearer sk-never-read"))
                    .status());
            nanos.addAndGet(Duration.ofMillis(99).toNanos());
        }
        assertEquals(1, deadReads.get(), "one failed read, then a second of serving what is known without asking");
        nanos.addAndGet(Duration.ofMillis(20).toNanos());
        assertEquals("acme", d.resolve("Bearer sk-stale").tenant().id());
        assertEquals(2, deadReads.get(), "asked again a second after the failure");

        down.set(false);
        nanos.addAndGet(KeyDirectory.RETRY_STORE_AFTER.toNanos());
        assertEquals(401, assertThrows(GatewayException.class, () -> d.resolve("Bearer sk-never-read")).status(),
                "the table answers again: an unknown key is unknown, not unavailable");
        assertEquals("acme", d.resolve("Bearer sk-stale").tenant().id());
        dead.close();
    }

    @Test
    void unknownExpiredAndCachedAnswers() {
        DynamoDbKeyStore store = new DynamoDbKeyStore(() -> client, newKeysTable(client));
        KeyRecord k = key("key_00000000000000d1", "sk-expiring", "acme");
        KeyRecord expiring = new KeyRecord(k.id(), k.hash(), k.tenant(), k.name(), k.models(), 0, 0, null, null,
                now.minusSeconds(1), false, Map.of(), k.createdAt(), k.updatedAt(), 1);
        store.create(expiring);
        KeyDirectory d = directory(store, List.of());
        GatewayException expired = assertThrows(GatewayException.class, () -> d.resolve("Bearer sk-expiring"));
        assertTrue(expired.getMessage().contains("expired"));
        GatewayException unknown = assertThrows(GatewayException.class, () -> d.resolve("Bearer sk-nope"));
        assertEquals(401, unknown.status());
        assertEquals(401, assertThrows(GatewayException.class, () -> d.resolve(null)).status());
    }

    @Test
    void modelPatterns() {
        KeyRecord k = key("key_00000000000000e1", "x", "t");
        assertTrue(k.allows("gpt-4o"));
        assertTrue(k.allows("gpt-4o-mini"));
        assertTrue(k.allows("mock-1"));
        assertTrue(!k.allows("mock-2"));
        assertTrue(!k.allows("gpt-4.1"));
        assertTrue(ModelPatterns.matches("*", "anything"));
        assertTrue(ModelPatterns.matches("a*c*e", "abcde"));
        assertTrue(!ModelPatterns.matches("a*c", "abcd"));
    }
}
