package io.switchboard.core.catalog.internal;

import io.switchboard.core.catalog.CatalogEventPublisher;
import io.switchboard.shared.catalog.CatalogJson;
import io.switchboard.shared.catalog.ModelCatalogChanged;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;

/**
 * Publishes {@code ModelCatalogChanged} to an EventBridge bus with {@code PutEvents}. A detail larger than
 * EventBridge's entry limit allows is sent with empty lists and {@code truncated: true}.
 */
public final class EventBridgePublisher implements CatalogEventPublisher {
    /** Leaves room under EventBridge's 256 KB entry limit for the envelope. */
    static final int MAX_DETAIL_BYTES = 200 * 1024;

    private final Supplier<EventBridgeClient> client;
    private final String bus;

    /** A publisher to {@code bus} through {@code client} (built on first use). */
    public EventBridgePublisher(Supplier<EventBridgeClient> client, String bus) {
        this.client = Objects.requireNonNull(client, "client");
        this.bus = Objects.requireNonNull(bus, "bus");
    }

    @Override
    public void publish(ModelCatalogChanged event) {
        byte[] detail = CatalogJson.writeChanged(event);
        if (detail.length > MAX_DETAIL_BYTES) {
            detail = CatalogJson.writeChanged(new ModelCatalogChanged(event.generation(), event.previousGeneration(),
                    List.of(), List.of(), List.of(), event.failedProviders(), event.occurredAt(), true));
        }
        String json = new String(detail, StandardCharsets.UTF_8);
        PutEventsResponse r = client.get().putEvents(b -> b.entries(e -> e.eventBusName(bus)
                .source(ModelCatalogChanged.SOURCE).detailType(ModelCatalogChanged.DETAIL_TYPE).detail(json)));
        if (r.failedEntryCount() != null && r.failedEntryCount() > 0) {
            throw new IllegalStateException("EventBridge refused the ModelCatalogChanged event");
        }
    }
}
