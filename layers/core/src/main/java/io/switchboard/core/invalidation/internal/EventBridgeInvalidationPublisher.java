package io.switchboard.core.invalidation.internal;

import io.switchboard.core.invalidation.InvalidationPublisher;
import io.switchboard.shared.cache.CacheInvalidationRequested;
import io.switchboard.shared.cache.InvalidationJson;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Supplier;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResultEntry;

/** Publishes {@code CacheInvalidationRequested} to an EventBridge bus with {@code PutEvents}. */
public final class EventBridgeInvalidationPublisher implements InvalidationPublisher {
    private final Supplier<EventBridgeClient> client;
    private final String bus;

    /** A publisher to {@code bus} through {@code client} (built on first use). */
    public EventBridgeInvalidationPublisher(Supplier<EventBridgeClient> client, String bus) {
        this.client = Objects.requireNonNull(client, "client");
        this.bus = Objects.requireNonNull(bus, "bus");
    }

    @Override
    public String publish(CacheInvalidationRequested event) {
        String json = new String(InvalidationJson.write(event), StandardCharsets.UTF_8);
        PutEventsResponse r = client.get().putEvents(b -> b.entries(e -> e.eventBusName(bus)
                .source(CacheInvalidationRequested.SOURCE).detailType(CacheInvalidationRequested.DETAIL_TYPE)
                .detail(json)));
        PutEventsResultEntry entry = r.entries().isEmpty() ? null : r.entries().get(0);
        if ((r.failedEntryCount() != null && r.failedEntryCount() > 0) || entry == null || entry.eventId() == null) {
            throw new IllegalStateException("EventBridge refused the CacheInvalidationRequested event");
        }
        return entry.eventId();
    }
}
