package io.switchboard.core.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.config.ProviderType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ProviderRegistryTest {

    /** A provider that only counts how often it is closed. */
    static final class CountingProvider extends ChatProvider {
        final AtomicInteger closed = new AtomicInteger();

        CountingProvider(ProviderConfig config) {
            super(config);
        }

        @Override
        protected ChatResponse doChat(ProviderCall call) {
            throw new AssertionError("the registry never calls its providers");
        }

        @Override
        protected io.switchboard.core.stream.StreamResult doStream(ProviderCall call,
                io.switchboard.core.stream.StreamSink sink) {
            throw new AssertionError("the registry never calls its providers");
        }

        @Override
        public void close() {
            closed.incrementAndGet();
        }
    }

    /** A factory that records what it built. */
    static final class CountingFactory implements Function<ProviderConfig, ChatProvider> {
        final List<CountingProvider> built = Collections.synchronizedList(new ArrayList<>());

        @Override
        public ChatProvider apply(ProviderConfig config) {
            CountingProvider p = new CountingProvider(config);
            built.add(p);
            return p;
        }
    }

    private static ProviderConfig mock(String name, long latencyMs) {
        return ProviderConfig.mock(name, Duration.ofMillis(latencyMs));
    }

    @Test
    void get_buildsOncePerConfig() {
        CountingFactory factory = new CountingFactory();
        try (ProviderRegistry registry = new ProviderRegistry(factory)) {
            ProviderConfig config = mock("mock", 0);
            ChatProvider first = registry.get(config);
            ChatProvider second = registry.get(config);
            assertSame(first, second);
            assertEquals(1, factory.built.size());
            assertEquals(1, registry.builds());
            assertSame(config, first.config());
            assertEquals("mock", first.name());
        }
    }

    @Test
    void get_equalConfigFromAnotherRecordReusesProvider() {
        CountingFactory factory = new CountingFactory();
        try (ProviderRegistry registry = new ProviderRegistry(factory)) {
            ChatProvider first = registry.get(mock("mock", 10));
            ProviderConfig equal = new ProviderConfig("mock", ProviderType.MOCK, null, null, null, null,
                    Duration.ofMillis(10), Map.of());
            ChatProvider again = registry.get(equal);
            assertSame(first, again);
            assertEquals(1, registry.builds());
            assertEquals(0, factory.built.get(0).closed.get());
        }
    }

    @Test
    void get_changedConfigRebuildsAndClosesOld() {
        CountingFactory factory = new CountingFactory();
        try (ProviderRegistry registry = new ProviderRegistry(factory)) {
            CountingProvider old = (CountingProvider) registry.get(mock("mock", 0));
            CountingProvider rebuilt = (CountingProvider) registry.get(mock("mock", 250));
            assertNotSame(old, rebuilt);
            assertEquals(2, registry.builds());
            assertEquals(1, old.closed.get(), "the replaced provider is closed");
            assertEquals(0, rebuilt.closed.get());
            assertEquals(Duration.ofMillis(250), rebuilt.config().latency());

            assertSame(rebuilt, registry.get(mock("mock", 250)), "the new one is now cached");
            assertEquals(2, registry.builds());

            CountingProvider back = (CountingProvider) registry.get(mock("mock", 0));
            assertNotSame(old, back, "a closed provider is never handed out again");
            assertEquals(1, rebuilt.closed.get());
            assertEquals(3, registry.builds());
        }
    }

    @Test
    void get_differentNamesAreIndependent() {
        CountingFactory factory = new CountingFactory();
        try (ProviderRegistry registry = new ProviderRegistry(factory)) {
            CountingProvider a = (CountingProvider) registry.get(mock("a", 0));
            CountingProvider b = (CountingProvider) registry.get(mock("b", 0));
            assertNotSame(a, b);
            assertSame(a, registry.get(mock("a", 0)));
            assertSame(b, registry.get(mock("b", 0)));
            assertEquals(2, registry.builds());
            assertEquals(0, a.closed.get() + b.closed.get());
        }
    }

    @Test
    void close_closesAll() {
        CountingFactory factory = new CountingFactory();
        ProviderRegistry registry = new ProviderRegistry(factory);
        CountingProvider a = (CountingProvider) registry.get(mock("a", 0));
        CountingProvider b = (CountingProvider) registry.get(mock("b", 5));
        CountingProvider replaced = (CountingProvider) registry.get(mock("c", 0));
        CountingProvider c = (CountingProvider) registry.get(mock("c", 1));
        assertEquals(1, replaced.closed.get());

        registry.close();
        assertEquals(1, a.closed.get());
        assertEquals(1, b.closed.get());
        assertEquals(1, c.closed.get());
        assertEquals(1, replaced.closed.get(), "an already replaced provider is not closed twice");

        CountingProvider fresh = (CountingProvider) registry.get(mock("a", 0));
        assertNotSame(a, fresh, "after close the registry builds afresh");
    }

    @Test
    void get_concurrentFirstUseBuildsOnce() throws Exception {
        CountingFactory factory = new CountingFactory();
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (ProviderRegistry registry = new ProviderRegistry(factory)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<ChatProvider>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return registry.get(mock("mock", 3));
                }));
            }
            start.countDown();
            Set<ChatProvider> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Future<ChatProvider> f : results) {
                distinct.add(f.get(10, TimeUnit.SECONDS));
            }
            assertEquals(1, distinct.size());
            assertEquals(1, factory.built.size());
            assertEquals(1, registry.builds());
            assertTrue(factory.built.stream().allMatch(p -> p.closed.get() == 0));
        } finally {
            pool.shutdownNow();
        }
    }
}
