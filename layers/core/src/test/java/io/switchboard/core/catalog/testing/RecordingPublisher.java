package io.switchboard.core.catalog.testing;

import io.switchboard.core.catalog.CatalogEventPublisher;
import io.switchboard.shared.catalog.ModelCatalogChanged;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every published event. */
public final class RecordingPublisher implements CatalogEventPublisher {
    private final List<ModelCatalogChanged> events = new CopyOnWriteArrayList<>();

    @Override
    public void publish(ModelCatalogChanged event) {
        events.add(event);
    }

    /** Everything published so far. */
    public List<ModelCatalogChanged> events() {
        return List.copyOf(events);
    }
}
