package io.switchboard.core.provider.mock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.Ticker;
import io.switchboard.core.provider.EmbeddingCall;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.embeddings.EmbeddingRequest;
import io.switchboard.shared.embeddings.EmbeddingResponse;
import io.switchboard.shared.json.EmbeddingRequestReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The mock provider's embeddings: deterministic unit vectors from the input, {@code dimensions} honoured. */
class MockEmbeddingsTest {
    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;
    private final List<Duration> slept = new ArrayList<>();

    private MockProvider provider(Duration latency) {
        return new MockProvider(ProviderConfig.mock("mock", latency), InstantSource.system(), d -> {
            slept.add(d);
            nanos.addAndGet(d.toNanos());
        });
    }

    private EmbeddingResponse embed(MockProvider p, String model, String json) {
        EmbeddingRequest r = EmbeddingRequestReader.read(json.getBytes(StandardCharsets.UTF_8));
        return p.embed(new EmbeddingCall(r, model, Duration.ofSeconds(25), "r", ticker));
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float f : v) {
            s += (double) f * f;
        }
        return Math.sqrt(s);
    }

    @Test
    void embed_defaultDimensions_unitVectors_onePerInput() {
        EmbeddingResponse r = embed(provider(Duration.ZERO), "mock-1",
                "{\"model\":\"fast\",\"input\":[\"alpha\",\"beta\",\"a longer sentence to count\"]}");
        assertEquals("mock-1", r.model());
        assertEquals(3, r.data().size());
        for (int i = 0; i < 3; i++) {
            assertEquals(i, r.data().get(i).index());
            assertEquals(MockProvider.DEFAULT_DIMENSIONS, r.data().get(i).dimensions());
            assertEquals(1.0, norm(r.data().get(i).toArray()), 1e-5);
        }
        assertFalse(Arrays.equals(r.data().get(0).toArray(), r.data().get(1).toArray()));
        assertEquals(2 + 1 + 7, r.promptTokens(), "about four characters a token, at least one");
        assertEquals(r.promptTokens(), r.totalTokens());
    }

    @Test
    void embed_isDeterministic_perInputAndModel_notPerPosition() {
        MockProvider p = provider(Duration.ZERO);
        float[] alone = embed(p, "mock-1", "{\"model\":\"x\",\"input\":\"beta\"}").data().get(0).toArray();
        float[] second = embed(p, "mock-1", "{\"model\":\"x\",\"input\":[\"alpha\",\"beta\"]}").data().get(1).toArray();
        assertArrayEquals(alone, second, "an item's vector does not depend on its neighbours");
        assertArrayEquals(alone, embed(provider(Duration.ZERO), "mock-1", "{\"model\":\"x\",\"input\":\"beta\"}")
                .data().get(0).toArray(), "nor on the provider instance");
        assertFalse(Arrays.equals(alone, embed(p, "mock-2", "{\"model\":\"x\",\"input\":\"beta\"}").data().get(0)
                .toArray()), "another model embeds differently");
        // a fixed point, so that a change of the derivation shows (vectors must be equal in every process)
        assertArrayEquals(new float[] {-0.2542736f, -0.49439818f, 0.32333857f, 0.09396605f, -0.5228572f,
            0.033648916f, -0.32733163f, -0.44258332f}, alone);
    }

    @Test
    void embed_dimensions_shorterIsThePrefixRenormalized() {
        MockProvider p = provider(Duration.ZERO);
        float[] full = embed(p, "mock-1", "{\"model\":\"x\",\"input\":\"text\",\"dimensions\":256}").data().get(0)
                .toArray();
        float[] short4 = embed(p, "mock-1", "{\"model\":\"x\",\"input\":\"text\",\"dimensions\":4}").data().get(0)
                .toArray();
        assertEquals(256, full.length);
        assertEquals(4, short4.length);
        double prefixNorm = norm(Arrays.copyOf(full, 4));
        for (int i = 0; i < 4; i++) {
            assertEquals(full[i] / prefixNorm, short4[i], 1e-6);
        }
        assertEquals(1, embed(p, "mock-1", "{\"model\":\"x\",\"input\":\"t\",\"dimensions\":1}").data().get(0)
                .dimensions());
    }

    @Test
    void embed_tokens_countedAndDistinctFromText() {
        MockProvider p = provider(Duration.ZERO);
        EmbeddingResponse r = embed(p, "mock-1", "{\"model\":\"x\",\"input\":[[1,2,3],[4]]}");
        assertEquals(2, r.data().size());
        assertEquals(4, r.promptTokens());
        assertFalse(Arrays.equals(r.data().get(0).toArray(),
                embed(p, "mock-1", "{\"model\":\"x\",\"input\":\"1,2,3\"}").data().get(0).toArray()));
        assertArrayEquals(r.data().get(0).toArray(),
                embed(p, "mock-1", "{\"model\":\"x\",\"input\":[1,2,3]}").data().get(0).toArray(),
                "one token array and an array holding it embed alike");
    }

    @Test
    void embed_tooManyDimensions_refusedLikeAProvider() {
        GatewayException e = assertThrows(GatewayException.class, () -> embed(provider(Duration.ZERO), "mock-1",
                "{\"model\":\"x\",\"input\":\"t\",\"dimensions\":" + (MockProvider.MAX_DIMENSIONS + 1) + "}"));
        assertEquals(ErrorKind.UPSTREAM_INVALID_REQUEST, e.kind());
        assertEquals("dimensions", e.param());
        assertTrue(slept.isEmpty(), "refused before any latency");
    }

    @Test
    void embed_latencySimulated_andBoundedByTheCallsTimeout() {
        MockProvider p = provider(Duration.ofMillis(40));
        EmbeddingRequest r = EmbeddingRequestReader.read("{\"model\":\"x\",\"input\":\"t\"}"
                .getBytes(StandardCharsets.UTF_8));
        EmbeddingCall c = new EmbeddingCall(r, "mock-1", Duration.ofSeconds(1), "r", ticker);
        p.embed(c);
        assertEquals(List.of(Duration.ofMillis(40)), slept);
        assertEquals(40_000_000L, c.upstreamNanos());

        MockProvider slow = provider(Duration.ofSeconds(5));
        GatewayException e = assertThrows(GatewayException.class,
                () -> slow.embed(new EmbeddingCall(r, "mock-1", Duration.ofMillis(100), "r", ticker)));
        assertEquals(ErrorKind.UPSTREAM_TIMEOUT, e.kind());
    }
}
