package io.switchboard.core.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The view's rules against a log in memory and a fake ticker. */
class InvalidationViewTest {
    private final AtomicLong now = new AtomicLong(1);
    private final L1Cache l1 = new L1Cache(1 << 20, Duration.ofSeconds(60), now::get);
    private final L2Guard guard = new L2Guard(3, Duration.ofSeconds(5), now::get);
    private final MemoryLog log = new MemoryLog();
    private final InvalidationView view = new InvalidationView(log, l1, guard, now::get, Duration.ofSeconds(1));
    private static final byte[] JSON = "{}".getBytes();

    /** An invalidation log in memory. */
    static final class MemoryLog implements InvalidationStore {
        String incarnation;
        long seq;
        final List<LogEntry> entries = new ArrayList<>();
        boolean down;
        int reads;

        void record(InvalidationScope... scopes) {
            if (incarnation == null) {
                incarnation = "one";
            }
            seq++;
            for (InvalidationScope s : scopes) {
                entries.add(new LogEntry(seq, s));
            }
        }

        @Override
        public LogRead readLog(long after, int maxSequences) {
            reads++;
            if (down) {
                throw new IllegalStateException("down");
            }
            return new LogRead(incarnation, seq, entries.stream()
                    .filter(e -> e.sequence() > after && e.sequence() <= after + maxSequences).toList());
        }

        @Override
        public long appendLog(String eventId, List<InvalidationScope> scopes, Duration dedupeTtl) {
            throw new AssertionError("the view only reads the log");
        }

        @Override
        public boolean recorded(String eventId) {
            return false;
        }

        @Override
        public long unlinkIndexed(String indexKey, int batch) {
            return 0;
        }

        @Override
        public long unlink(List<String> keys) {
            return 0;
        }
    }

    private static CacheKey key(String tenant, String ns, String digest) {
        return new CacheKey(tenant, ns, digest, "p", "m");
    }

    private void put(CacheKey k, List<String> tags) {
        assertTrue(view.putIfCurrent(view.stamp(), k.storageKey(), JSON, Duration.ofSeconds(60),
                InvalidationScope.EntryScope.of(k, tags)));
    }

    private void advance(long millis) {
        now.addAndGet(millis * 1_000_000);
    }

    @Test
    void refreshIfDue_atMostOncePerBound() {
        view.refreshIfDue();
        view.refreshIfDue();
        advance(999);
        view.refreshIfDue();
        assertEquals(1, log.reads);
        advance(1);
        view.refreshIfDue();
        assertEquals(2, log.reads);
    }

    @Test
    void refreshIfDue_newScopes_evictOnlyWhatTheyCover() {
        view.refreshIfDue();
        CacheKey tagged = key("a", "default", "1");
        CacheKey other = key("a", "default", "2");
        CacheKey otherTenant = key("b", "default", "3");
        CacheKey promoted = key("a", "default", "4");
        put(tagged, List.of("v3"));
        put(other, List.of("v4"));
        put(otherTenant, List.of("v3"));
        put(promoted, null); // tags unknown
        log.record(InvalidationScope.tag("a", "v3"));
        advance(1000);
        view.refreshIfDue();
        assertNull(l1.get(tagged.storageKey()));
        assertNull(l1.get(promoted.storageKey()), "unknown tags: evicted rather than risked");
        assertNotNull(l1.get(other.storageKey()));
        assertNotNull(l1.get(otherTenant.storageKey()));
        log.record(InvalidationScope.key("a", "default:2"), InvalidationScope.model("p/x"));
        advance(1000);
        view.refreshIfDue();
        assertNull(l1.get(other.storageKey()));
        assertNotNull(l1.get(otherTenant.storageKey()));
    }

    @Test
    void putIfCurrent_readBeforeAnAppliedInvalidation_isRefused() {
        view.refreshIfDue();
        CacheKey k = key("a", "ns", "1");
        long stamp = view.stamp(); // taken before reading L2
        log.record(InvalidationScope.namespace("a", "ns"));
        advance(1000);
        view.refreshIfDue(); // another thread applies the invalidation meanwhile
        assertFalse(view.putIfCurrent(stamp, k.storageKey(), JSON, Duration.ofSeconds(60),
                InvalidationScope.EntryScope.of(k, List.of())));
        assertNull(l1.get(k.storageKey()));
        CacheKey unrelated = key("a", "other", "2");
        assertTrue(view.putIfCurrent(stamp, unrelated.storageKey(), JSON, Duration.ofSeconds(60),
                InvalidationScope.EntryScope.of(unrelated, List.of())));
    }

    @Test
    void refreshIfDue_newIncarnationOrTooFarBehind_clearsL1() {
        view.refreshIfDue();
        log.record(InvalidationScope.tag("z", "z"));
        advance(1000);
        view.refreshIfDue();
        put(key("a", "default", "1"), List.of());
        log.incarnation = "two"; // L2 was replaced
        advance(1000);
        view.refreshIfDue();
        assertEquals(0, l1.size());
        put(key("a", "default", "1"), List.of());
        for (int i = 0; i <= InvalidationView.MAX_APPLY; i++) {
            log.record(InvalidationScope.tag("z", "z" + i));
        }
        advance(1000);
        view.refreshIfDue();
        assertEquals(0, l1.size());
    }

    @Test
    void refreshIfDue_l2Down_l1KeepsServingAndTheRefreshIsRetriedNextBound() {
        view.refreshIfDue();
        CacheKey k = key("a", "default", "1");
        put(k, List.of("v3"));
        log.record(InvalidationScope.tag("a", "v3"));
        log.down = true;
        advance(1000);
        view.refreshIfDue();
        assertNotNull(l1.get(k.storageKey()), "fail-open until its L1 TTL");
        log.down = false;
        advance(1000);
        view.refreshIfDue();
        assertNull(l1.get(k.storageKey()));
    }

    @Test
    void scope_encodeDecode_roundTrip() {
        for (InvalidationScope s : List.of(InvalidationScope.ALL, InvalidationScope.tenant("a"),
                InvalidationScope.namespace("a", "n:s"), InvalidationScope.model("p/m/x"),
                InvalidationScope.tag("a", "prompt:v3"), InvalidationScope.key("a", "default:ff"))) {
            assertEquals(s, InvalidationScope.decode(s.encode()));
        }
        assertEquals("sb:v1:idx:tag:a:prompt:v3", InvalidationScope.tag("a", "prompt:v3").indexKey());
    }
}
