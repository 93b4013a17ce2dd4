package io.switchboard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LazyTest {

    /** A ticker that only moves when told to. */
    static final class FakeTicker implements Ticker {
        final AtomicLong now = new AtomicLong(1_000);

        @Override
        public long read() {
            return now.get();
        }

        void advance(long nanos) {
            now.addAndGet(nanos);
        }
    }

    static final class Closeable implements AutoCloseable {
        final AtomicInteger closed = new AtomicInteger();

        @Override
        public void close() {
            closed.incrementAndGet();
        }
    }

    record Call(String name, long nanos) {
    }

    @Test
    void get_buildsOnceUnderContention() throws Exception {
        int threads = 16;
        AtomicInteger builds = new AtomicInteger();
        CountDownLatch insideFactory = new CountDownLatch(1);
        Lazy<Object> lazy = Lazy.of("contended", () -> {
            builds.incrementAndGet();
            insideFactory.countDown();
            // widen the race window: let the other threads pile up on the lock
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Object();
        });
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Object>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    ready.countDown();
                    start.await();
                    return lazy.get();
                }));
            }
            assertTrue(ready.await(10, TimeUnit.SECONDS));
            start.countDown();
            Set<Object> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Future<Object> f : results) {
                distinct.add(f.get(10, TimeUnit.SECONDS));
            }
            assertTrue(insideFactory.await(0, TimeUnit.SECONDS));
            assertEquals(1, builds.get(), "factory must run exactly once");
            assertEquals(1, distinct.size(), "every thread must see the same instance");
            assertSame(lazy.get(), distinct.iterator().next());
            assertEquals(0, lazy.failures());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void get_failedBuildIsRetriedAndCounted() {
        AtomicInteger attempts = new AtomicInteger();
        Lazy<String> lazy = Lazy.of("flaky", () -> {
            if (attempts.incrementAndGet() <= 2) {
                throw new IllegalStateException("boom " + attempts.get());
            }
            return "ok";
        });

        IllegalStateException first = assertThrows(IllegalStateException.class, lazy::get);
        assertEquals("boom 1", first.getMessage());
        assertFalse(lazy.isBuilt());
        assertEquals(1, lazy.failures());
        assertTrue(lazy.buildNanos().isEmpty());

        assertThrows(IllegalStateException.class, lazy::get);
        assertEquals(2, lazy.failures());

        assertEquals("ok", lazy.get());
        assertTrue(lazy.isBuilt());
        assertEquals(3, attempts.get());
        assertEquals(2, lazy.failures(), "a success does not count as a failure");
        assertEquals("ok", lazy.get());
        assertEquals(3, attempts.get(), "a built value is not rebuilt");
    }

    @Test
    void get_errorFromFactoryIsCountedToo() {
        Lazy<String> lazy = Lazy.of("erroring", () -> {
            throw new AssertionError("fatal");
        });
        assertThrows(AssertionError.class, lazy::get);
        assertEquals(1, lazy.failures());
        assertFalse(lazy.isBuilt());
    }

    @Test
    void get_nullFromFactoryIsAFailureNamingTheHolder() {
        AtomicInteger attempts = new AtomicInteger();
        Lazy<String> lazy = Lazy.of("nullish", () -> attempts.incrementAndGet() == 1 ? null : "second");
        NullPointerException e = assertThrows(NullPointerException.class, lazy::get);
        assertTrue(e.getMessage().contains("nullish"), e.getMessage());
        assertEquals(1, lazy.failures());
        assertEquals("second", lazy.get());
    }

    @Test
    void get_recordsBuildNanosFromTickerAndTellsListener() {
        FakeTicker ticker = new FakeTicker();
        List<Call> calls = new ArrayList<>();
        Lazy<String> lazy = Lazy.of("http-client", () -> {
            ticker.advance(1_234_567);
            return "client";
        }, ticker, (name, nanos) -> calls.add(new Call(name, nanos)));

        assertTrue(lazy.buildNanos().isEmpty());
        assertEquals("client", lazy.get());
        assertEquals(OptionalLong.of(1_234_567), lazy.buildNanos());
        assertEquals(List.of(new Call("http-client", 1_234_567)), calls);

        ticker.advance(99);
        lazy.get();
        assertEquals(1, calls.size(), "the listener hears of builds only, not of every get");
        assertEquals(OptionalLong.of(1_234_567), lazy.buildNanos());
    }

    @Test
    void get_failedBuildDoesNotTellListener() {
        FakeTicker ticker = new FakeTicker();
        List<Call> calls = new ArrayList<>();
        AtomicInteger attempts = new AtomicInteger();
        Lazy<String> lazy = Lazy.of("flaky", () -> {
            ticker.advance(10);
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("first fails");
            }
            ticker.advance(500);
            return "v";
        }, ticker, (name, nanos) -> calls.add(new Call(name, nanos)));
        assertThrows(IllegalStateException.class, lazy::get);
        assertTrue(calls.isEmpty());
        lazy.get();
        assertEquals(List.of(new Call("flaky", 510)), calls);
        assertEquals(OptionalLong.of(510), lazy.buildNanos());
    }

    @Test
    void reset_closesAutoCloseableAndNextGetRebuilds() {
        List<Closeable> built = new ArrayList<>();
        FakeTicker ticker = new FakeTicker();
        List<Call> calls = new ArrayList<>();
        Lazy<Closeable> lazy = Lazy.of("closeable", () -> {
            ticker.advance(built.isEmpty() ? 100 : 200);
            Closeable c = new Closeable();
            built.add(c);
            return c;
        }, ticker, (name, nanos) -> calls.add(new Call(name, nanos)));

        Closeable first = lazy.get();
        assertEquals(0, first.closed.get());

        lazy.reset();
        assertEquals(1, first.closed.get(), "reset closes the discarded value");
        assertFalse(lazy.isBuilt());
        assertTrue(lazy.peek().isEmpty());
        assertTrue(lazy.buildNanos().isEmpty(), "reset forgets the build time");

        Closeable second = lazy.get();
        assertNotSame(first, second);
        assertEquals(2, built.size());
        assertEquals(0, second.closed.get());
        assertEquals(1, first.closed.get(), "closed exactly once");
        assertEquals(OptionalLong.of(200), lazy.buildNanos());
        assertEquals(List.of(new Call("closeable", 100), new Call("closeable", 200)), calls);
    }

    @Test
    void reset_onUnbuiltOrNonCloseableValueIsHarmless() {
        AtomicInteger builds = new AtomicInteger();
        Lazy<String> lazy = Lazy.of("plain", () -> "v" + builds.incrementAndGet());
        lazy.reset();
        assertEquals(0, builds.get(), "reset never builds");
        assertEquals("v1", lazy.get());
        lazy.reset();
        assertEquals("v2", lazy.get());
    }

    @Test
    void reset_swallowsCloseFailure() {
        AtomicInteger builds = new AtomicInteger();
        Lazy<AutoCloseable> lazy = Lazy.of("bad-close", () -> {
            builds.incrementAndGet();
            return () -> {
                throw new Exception("close failed");
            };
        });
        lazy.get();
        lazy.reset();
        assertFalse(lazy.isBuilt());
        lazy.get();
        assertEquals(2, builds.get());
    }

    @Test
    void peek_neverBuilds() {
        AtomicInteger builds = new AtomicInteger();
        Lazy<String> lazy = Lazy.of("peeked", () -> "v" + builds.incrementAndGet());

        assertTrue(lazy.peek().isEmpty());
        assertTrue(lazy.peek().isEmpty());
        assertFalse(lazy.isBuilt());
        assertEquals(0, builds.get());
        assertTrue(lazy.toString().contains("not built"), lazy.toString());

        assertEquals("v1", lazy.get());
        assertEquals("v1", lazy.peek().orElseThrow());
        assertEquals(1, builds.get());
        assertEquals("peeked", lazy.name());
        assertTrue(lazy.toString().contains("built]") && !lazy.toString().contains("not built"), lazy.toString());
    }
}
