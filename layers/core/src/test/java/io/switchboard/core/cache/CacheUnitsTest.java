package io.switchboard.core.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatRequest;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.json.ChatJson;
import io.switchboard.shared.json.ChatRequestReader;
import io.switchboard.shared.json.ChatResponseReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;

/** The cache's parts, one idea each: canonical keys, directives, codec, L1 bounds and TTLs, guard, token, streams. */
class CacheUnitsTest {

    private static ChatRequest req(String json) {
        return ChatRequestReader.read(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void digest_keyOrderWhitespaceAndNumberSpelling_doNotMatter() {
        String a = CanonicalRequests.digest("p", "m", req("{\"model\":\"x\",\"temperature\":1,\"top_p\":0.5,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"response_format\":{\"type\":\"json_schema\","
                + "\"json_schema\":{\"name\":\"s\",\"schema\":{\"b\":1,\"a\":2.50}}}}"));
        String b = CanonicalRequests.digest("p", "m", req("{ \"response_format\" : {\"json_schema\":{\"schema\":"
                + "{\"a\":2.5,\"b\":1.0},\"name\":\"s\"},\"type\":\"json_schema\"}, \"top_p\":5e-1, \"temperature\":1.0,"
                + "\"messages\":[{\"content\":\"hi\",\"role\":\"user\"}], \"model\":\"alias\", \"user\":\"u\","
                + "\"stream\":true}"));
        assertEquals(a, b);
        assertEquals(64, a.length());
    }

    @Test
    void digest_anythingThatChangesOutput_changesTheKey() {
        String base = "{\"model\":\"x\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        String d = CanonicalRequests.digest("p", "m", req(base + "}"));
        assertNotEquals(d, CanonicalRequests.digest("p", "m2", req(base + "}")));
        assertNotEquals(d, CanonicalRequests.digest("p2", "m", req(base + "}")));
        for (String extra : new String[] {",\"seed\":1", ",\"max_tokens\":5", ",\"stop\":\"x\"", ",\"top_p\":0.9",
                ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]", ",\"reasoning_effort\":\"low\"",
                ",\"response_format\":{\"type\":\"json_object\"}"}) {
            assertNotEquals(d, CanonicalRequests.digest("p", "m", req(base + extra + "}")), extra);
        }
        assertNotEquals(d, CanonicalRequests.digest("p", "m", req(base.replace("hi", "hj") + "}")));
        assertNotEquals(d, CanonicalRequests.digest("p", "m", req(base.replace("\"user\"", "\"system\"") + "}")));
    }

    @Test
    void parse_directives_andRejections() {
        CacheDirectives d = CacheDirectives.parse("No-Cache, max-age=0", "30", "team", "a, b,a", Duration.ofDays(1));
        assertTrue(d.noCache());
        assertFalse(d.noStore());
        assertEquals(Duration.ofSeconds(30), d.ttl());
        assertEquals("team", d.namespace());
        assertEquals(List.of("a", "b"), d.tags());
        assertEquals(CacheDirectives.NONE, CacheDirectives.parse(null, null, null, null, Duration.ofDays(1)));
        GatewayException e = assertThrows(GatewayException.class,
                () -> CacheDirectives.parse(null, "soon", null, null, Duration.ofDays(1)));
        assertEquals(CacheDirectives.TTL_HEADER, e.param());
        assertEquals(400, e.status());
        assertThrows(GatewayException.class, () -> CacheDirectives.parse(null, "999999", null, null, Duration.ofDays(1)));
        assertThrows(GatewayException.class, () -> CacheDirectives.parse(null, null, "bad space", null, Duration.ofDays(1)));
        assertThrows(GatewayException.class, () -> CacheDirectives.parse(null, null, null, "ok,bad tag", Duration.ofDays(1)));
        String seventeen = String.join(",", java.util.stream.IntStream.rangeClosed(1, 17).mapToObj(i -> "t" + i)
                .toList());
        assertThrows(GatewayException.class, () -> CacheDirectives.parse(null, null, null, seventeen,
                Duration.ofDays(1)));
    }

    @Test
    void codec_roundTrips_compressesOnlyAboveThreshold_rejectsGarbage() {
        ValueCodec codec = new ValueCodec(100);
        byte[] small = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        byte[] big = ("{\"content\":\"" + "lorem ipsum ".repeat(200) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertEquals(ValueCodec.PLAIN, codec.encode(small)[0]);
        assertArrayEquals(small, codec.decode(codec.encode(small)));
        byte[] encoded = codec.encode(big);
        assertEquals(ValueCodec.DEFLATE, encoded[0]);
        assertTrue(encoded.length < big.length / 5);
        assertArrayEquals(big, codec.decode(encoded));
        assertThrows(IllegalArgumentException.class, () -> codec.decode(new byte[] {9, 1, 2}));
        assertThrows(IllegalArgumentException.class, () -> codec.decode(new byte[] {1, 5, 5, 5}));
        assertThrows(IllegalArgumentException.class, () -> codec.decode(new byte[0]));
    }

    @Test
    void l1_expiresByTtlAndEntryTtl_withInjectedTime() {
        AtomicLong now = new AtomicLong();
        L1Cache l1 = new L1Cache(1 << 20, Duration.ofSeconds(60), now::get);
        l1.put("long", new byte[10], Duration.ofHours(1));
        l1.put("short", new byte[10], Duration.ofSeconds(5));
        now.addAndGet(Duration.ofSeconds(6).toNanos());
        assertNull(l1.get("short"), "the entry's own TTL is shorter than L1's");
        assertNotNull(l1.get("long"));
        now.addAndGet(Duration.ofSeconds(60).toNanos());
        assertNull(l1.get("long"), "L1's TTL caps every entry");
    }

    @Test
    void l1_isBoundedByBytes() {
        L1Cache l1 = new L1Cache(100_000, Duration.ofSeconds(60), System::nanoTime);
        for (int i = 0; i < 100; i++) {
            l1.put("k" + i, new byte[10_000], Duration.ofMinutes(1));
        }
        assertTrue(l1.size() <= 10, "about 100 KB hold at most 10 entries of 10 KB: " + l1.size());
        assertTrue(l1.size() >= 1);
    }

    @Test
    void guard_opensAfterFailures_halfOpensAfterCooldown_closesOnSuccess() {
        AtomicLong now = new AtomicLong();
        L2Guard g = new L2Guard(3, Duration.ofSeconds(5), now::get);
        g.failure();
        g.failure();
        assertTrue(g.allow());
        g.failure();
        assertFalse(g.allow());
        assertTrue(g.isOpen());
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertTrue(g.allow(), "one trial after the cool-down");
        g.failure();
        assertFalse(g.allow(), "a failed trial re-opens at once");
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        g.success();
        assertTrue(g.allow());
        assertFalse(g.isOpen());
    }

    @Test
    void iamToken_isAPresignedConnectRequest() {
        Clock clock = Clock.fixed(Instant.parse("2026-11-23T08:00:00Z"), ZoneOffset.UTC);
        String token = ElastiCacheIamToken.mint("switchboard-cache", "switchboard-app", "eu-west-1", true,
                AwsBasicCredentials.create("AKIDEXAMPLE", "secret"), clock);
        assertTrue(token.startsWith("switchboard-cache/?"), token);
        assertFalse(token.startsWith("http"));
        for (String part : new String[] {"Action=connect", "User=switchboard-app", "ResourceType=ServerlessCache",
                "X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Credential=AKIDEXAMPLE%2F20261123%2Feu-west-1%2Felasticache%2Faws4_request",
                "X-Amz-Date=20261123T080000Z", "X-Amz-Expires=900", "X-Amz-Signature="}) {
            assertTrue(token.contains(part), part + " in " + token);
        }
        assertFalse(token.contains("secret"));
        String later = ElastiCacheIamToken.mint("switchboard-cache", "switchboard-app", "eu-west-1", true,
                AwsBasicCredentials.create("AKIDEXAMPLE", "secret"), Clock.offset(clock, Duration.ofMinutes(1)));
        assertNotEquals(token, later, "minted per connect: a new time, a new signature");
    }
}
