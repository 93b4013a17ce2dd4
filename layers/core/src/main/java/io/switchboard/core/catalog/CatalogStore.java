package io.switchboard.core.catalog;

import io.switchboard.shared.catalog.ModelCatalogChanged;
import java.util.Optional;

/** Where the catalog lives (DynamoDB in production). Implementations are thread-safe. */
public interface CatalogStore {
    /** The stored generation, 0 when the catalog was never written. One small read. */
    long generation();

    /** The whole catalog. */
    Catalog load();

    /**
     * Writes {@code write}: entries and aliases first, the generation last and only if it still is
     * {@link CatalogWrite#expectedGeneration()}, so a reader that sees the new generation finds the new items.
     *
     * @return how many items were written (puts, deletes and the generation item)
     * @throws ConcurrentCatalogChangeException when another run changed the generation meanwhile
     */
    int apply(CatalogWrite write);

    /**
     * The change a discovery run {@link #begin began} and did not {@link #finish}: its writes may have stopped half
     * way (the generation not raised) or its event may not have gone out. Stores that do not keep one return empty.
     */
    default Optional<ModelCatalogChanged> pending() {
        return Optional.empty();
    }

    /** Records {@code change} before the first of its writes, so a run that fails half way leaves it behind. */
    default void begin(ModelCatalogChanged change) {
    }

    /** Forgets {@code change} once its generation is raised and its event published. */
    default void finish(ModelCatalogChanged change) {
    }

    /** Thrown when two discovery runs raced; the later one should simply run again. */
    final class ConcurrentCatalogChangeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** The catalog moved away from {@code expected}. */
        public ConcurrentCatalogChangeException(long expected) {
            super("the catalog generation is no longer " + expected);
        }
    }
}
