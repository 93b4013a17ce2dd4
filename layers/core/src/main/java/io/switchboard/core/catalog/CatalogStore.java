package io.switchboard.core.catalog;

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

    /** Thrown when two discovery runs raced; the later one should simply run again. */
    final class ConcurrentCatalogChangeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** The catalog moved away from {@code expected}. */
        public ConcurrentCatalogChangeException(long expected) {
            super("the catalog generation is no longer " + expected);
        }
    }
}
