package io.switchboard.core.fuzz;

import io.switchboard.shared.GatewayException;
import io.switchboard.shared.cache.CacheInvalidationRequested;
import io.switchboard.shared.cache.InvalidationJson;
import io.switchboard.shared.catalog.CatalogJson;
import io.switchboard.shared.catalog.ModelCatalogChanged;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fuzz targets of the EventBridge event details the functions read: {@link InvalidationJson} (also the admin
 * invalidation body) refuses with a 4xx {@link GatewayException} only; {@link CatalogJson#readChanged} with an
 * {@link IllegalArgumentException} only (its documented failure). What is accepted writes back and reads again
 * to the same value.
 */
class EventDetailsFuzzTest {
    static final List<byte[]> INVALIDATION_SEEDS = Mutations.seeds(
            "{\"tenant\":\"t\",\"keys\":[\"k1\",\"k2\"],\"tags\":[\"a\"],\"namespace\":\"ns\",\"model\":\"m\","
                    + "\"all\":false,\"reason\":\"r\",\"requestedBy\":\"admin\",\"requestedAt\":\"2026-01-01T00:00:00Z\"}",
            "{\"all\":true,\"reason\":\"rotate\"}",
            "{\"model\":\"gpt-4o\",\"reason\":\"bad answers\",\"tags\":[]}");
    static final List<byte[]> CATALOG_SEEDS = Mutations.seeds(
            "{\"generation\":3,\"previousGeneration\":2,\"added\":[{\"name\":\"a\",\"kind\":\"model\",\"provider\":\"p\","
                    + "\"providerModel\":\"pm\"}],\"removed\":[],\"changed\":[{\"name\":\"b\",\"kind\":\"alias\","
                    + "\"provider\":\"p\",\"providerModel\":\"x\"}],\"failedProviders\":[\"q\"],"
                    + "\"occurredAt\":\"2026-01-01T00:00:00Z\",\"truncated\":false}",
            "{\"generation\":1,\"previousGeneration\":0,\"added\":[],\"removed\":[],\"changed\":[],"
                    + "\"failedProviders\":[],\"occurredAt\":\"2026-12-02T18:00:00.123Z\",\"truncated\":true}");

    @Test
    void invalidationDetail() {
        Fuzz.run("invalidation-detail", r -> Mutations.of(r, INVALIDATION_SEEDS), body -> {
            CacheInvalidationRequested e;
            try {
                e = InvalidationJson.read(body);
            } catch (GatewayException x) {
                RequestReadersFuzzTest.assertRefused(x);
                return;
            }
            if (!InvalidationJson.read(InvalidationJson.write(e)).equals(e)) {
                throw new AssertionError("write/read changed " + e);
            }
        });
    }

    /** Crashers of the long run, kept: {@code m\0\0\0\0} was taken for UTF-32 and escaped as an IOException. */
    @Test
    void foundCrashersAreRefusedWith4xx() {
        for (byte[] body : List.of(new byte[] {'m', 0, 0, 0, 0}, new byte[] {0, 0, 0, '{'}, new byte[] {0, '{', 0, '}'})) {
            try {
                InvalidationJson.read(body);
            } catch (GatewayException e) {
                RequestReadersFuzzTest.assertRefused(e);
                continue;
            }
            throw new AssertionError("accepted " + Fuzz.show(body));
        }
    }

    @Test
    void catalogChangedDetail() {
        Fuzz.run("catalog-detail", r -> Mutations.of(r, CATALOG_SEEDS), body -> {
            ModelCatalogChanged e;
            try {
                e = CatalogJson.readChanged(body);
            } catch (IllegalArgumentException x) {
                return;
            }
            ModelCatalogChanged again = CatalogJson.readChanged(CatalogJson.writeChanged(e));
            if (!again.equals(e)) {
                throw new AssertionError("write/read changed " + e + " into " + again);
            }
        });
    }
}
