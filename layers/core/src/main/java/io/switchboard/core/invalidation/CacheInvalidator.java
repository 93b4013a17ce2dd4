package io.switchboard.core.invalidation;

import io.switchboard.core.Ticker;
import io.switchboard.core.cache.InvalidationScope;
import io.switchboard.core.cache.InvalidationStore;
import io.switchboard.core.config.InvalidationSettings;
import io.switchboard.shared.cache.CacheInvalidationRequested;
import io.switchboard.shared.catalog.ModelCatalogChanged;
import io.switchboard.shared.catalog.ModelRef;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Carries out invalidation events against L2: removes the entries of each scope through its index set (SSCAN +
 * UNLINK in batches, never a keyspace scan), then records the scopes in the invalidation log, which every completion
 * environment reads at most once per staleness bound to drop them from its L1.
 *
 * <p>Order: entries go first, the log record last, so once an environment applies the record L2 no longer holds
 * what it could promote back into L1; and a failure before the record leaves the event unrecorded, so its retry does
 * everything again (removal is idempotent). At-least-once: the record is keyed by the event id, so a redelivered
 * event is recognised and changes nothing; events in any order converge because each only removes entries and
 * appends to the log.
 *
 * <p>"Everything" is every tenant this function knows (its {@code SWITCHBOARD_API_KEYS}, the same keys the
 * completion function accepts) through the tenant index sets, plus the {@code all} scope that clears every L1.
 */
public final class CacheInvalidator {
    private final InvalidationStore store;
    private final UnaryOperator<String> models;
    private final List<String> tenants;
    private final InvalidationSettings settings;
    private final Ticker ticker;

    /**
     * An invalidator.
     *
     * @param store L2
     * @param models maps a model name (alias or {@code provider/model-id}) to {@code provider/model}; throws
     *     {@link IllegalArgumentException} for a name it cannot map
     * @param tenants every tenant, for "everything"
     */
    public CacheInvalidator(InvalidationStore store, UnaryOperator<String> models, List<String> tenants,
            InvalidationSettings settings, Ticker ticker) {
        this.store = Objects.requireNonNull(store, "store");
        this.models = Objects.requireNonNull(models, "models");
        this.tenants = List.copyOf(tenants);
        this.settings = Objects.requireNonNull(settings, "settings");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    /** The scopes a request names. */
    public List<InvalidationScope> scopes(CacheInvalidationRequested r) {
        Set<InvalidationScope> out = new LinkedHashSet<>();
        if (r.all()) {
            out.add(InvalidationScope.ALL);
        }
        if (r.model() != null) {
            out.add(InvalidationScope.model(models.apply(r.model())));
        }
        if (r.wholeTenant()) {
            out.add(InvalidationScope.tenant(r.tenant()));
        }
        if (r.namespace() != null) {
            out.add(InvalidationScope.namespace(r.tenant(), r.namespace()));
        }
        for (String tag : r.tags()) {
            out.add(InvalidationScope.tag(r.tenant(), tag));
        }
        for (String key : r.keys()) {
            out.add(InvalidationScope.key(r.tenant(), key));
        }
        return List.copyOf(out);
    }

    /**
     * The scopes a catalog change names: every removed or changed model ({@code kind} {@code model}; aliases need
     * nothing, entries are keyed by the provider model they resolved to). A truncated event names none, so
     * everything is invalidated.
     */
    public List<InvalidationScope> scopes(ModelCatalogChanged e) {
        if (e.truncated()) {
            return List.of(InvalidationScope.ALL);
        }
        Set<InvalidationScope> out = new LinkedHashSet<>();
        List<ModelRef> refs = new ArrayList<>(e.removed());
        refs.addAll(e.changed());
        for (ModelRef r : refs) {
            if (r.kind() == ModelRef.Kind.MODEL) {
                out.add(InvalidationScope.model(r.provider() + "/" + r.providerModel()));
            }
        }
        return List.copyOf(out);
    }

    /** Invalidates {@code scopes} for the event {@code eventId}; throws (to be retried) when L2 fails. */
    public InvalidationResult invalidate(String eventId, List<InvalidationScope> scopes) {
        long start = ticker.read();
        if (store.recorded(eventId)) {
            return new InvalidationResult(eventId, true, -1, 0, scopes.size(), ticker.read() - start);
        }
        long removed = 0;
        List<String> keys = new ArrayList<>();
        for (InvalidationScope s : scopes) {
            switch (s.kind()) {
                case ALL -> {
                    for (String t : tenants) {
                        removed += store.unlinkIndexed(InvalidationScope.tenant(t).indexKey(), settings.batch());
                    }
                }
                case KEY -> keys.add(s.value());
                default -> removed += store.unlinkIndexed(s.indexKey(), settings.batch());
            }
        }
        removed += store.unlink(keys);
        long sequence = scopes.isEmpty() ? -1 : store.appendLog(eventId, scopes, settings.dedupeTtl());
        return new InvalidationResult(eventId, sequence == -1 && !scopes.isEmpty(), sequence, removed,
                scopes.size(), ticker.read() - start);
    }
}
