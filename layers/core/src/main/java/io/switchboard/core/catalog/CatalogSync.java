package io.switchboard.core.catalog;

import io.switchboard.core.Ticker;
import io.switchboard.shared.catalog.ModelCatalogChanged;
import io.switchboard.shared.catalog.ModelRef;
import io.switchboard.shared.config.GatewayConfig;
import io.switchboard.shared.config.ModelRoute;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * One discovery run end to end: list every configured provider, compare with the stored catalog, write only what
 * changed, bump the generation and publish {@code ModelCatalogChanged} when something did.
 *
 * <p>Rules: a provider that answered defines its entries (new ones added, missing ones removed, different ones
 * replaced); a provider that failed keeps its entries untouched, {@code lastSeen} telling when they were last seen;
 * entries of providers no longer configured are removed. Aliases are the configured ones plus each model id that only
 * one provider serves (e.g. {@code claude-3-5-haiku-20241022}), unless a configured alias has that name. An unchanged
 * entry is rewritten only when its {@code lastSeen} is older than the resolution, without a new generation, so a run
 * that finds nothing new writes nothing.
 *
 * <p>Failing half way: a run that changes the catalog first records its change as pending in the store
 * ({@link CatalogStore#begin}), then writes, raises the generation, publishes, and forgets the pending change. A run
 * that fails in between (DynamoDB or the bus down) leaves the pending change behind, and the next run — its retry —
 * finishes it: if the generation was not raised, the pending change's names are folded into this run's (the items
 * the failed run already wrote or deleted no longer differ from the listing, so without the pending record they
 * would be in no event, and a removed model's cached answers would never be invalidated) and the generation is raised
 * even when nothing else differs; if it was raised, the pending event is published again. So every change is
 * published at least once, and the catalog converges.
 */
public final class CatalogSync {
    private final ModelDiscovery discovery;
    private final CatalogStore store;
    private final CatalogEventPublisher publisher;
    private final InstantSource clock;
    private final Ticker ticker;
    private final Duration lastSeenResolution;

    /** A sync of {@code discovery}'s findings into {@code store}, announced through {@code publisher}. */
    public CatalogSync(ModelDiscovery discovery, CatalogStore store, CatalogEventPublisher publisher,
            InstantSource clock, Ticker ticker, Duration lastSeenResolution) {
        this.discovery = Objects.requireNonNull(discovery, "discovery");
        this.store = Objects.requireNonNull(store, "store");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.lastSeenResolution = Objects.requireNonNull(lastSeenResolution, "lastSeenResolution");
    }

    /** Discovers {@code config}'s providers and syncs the catalog. */
    public DiscoveryReport run(GatewayConfig config) {
        long start = ticker.read();
        List<ProviderListing> listings = discovery.run(config.providers().values());
        Catalog current = store.load();
        ModelCatalogChanged pending = store.pending().orElse(null);
        if (pending != null && pending.generation() <= current.generation()) {
            // its generation was raised (or another run's since): only its event may not have gone out
            publisher.publish(pending);
            store.finish(pending);
            pending = null;
        }
        Instant now = clock.instant();

        Map<String, CatalogEntry> next = new HashMap<>(current.models());
        List<CatalogEntry> puts = new ArrayList<>();
        List<String> deletes = new ArrayList<>();
        List<ModelRef> added = new ArrayList<>();
        List<ModelRef> removed = new ArrayList<>();
        List<ModelRef> changed = new ArrayList<>();
        Map<String, String> failed = new TreeMap<>();
        Map<String, Integer> listed = new TreeMap<>();
        Set<String> answered = new HashSet<>();
        Set<String> listedKeys = new HashSet<>();
        for (ProviderListing l : listings) {
            if (!l.ok()) {
                failed.put(l.provider(), l.failure());
                continue;
            }
            answered.add(l.provider());
            listed.put(l.provider(), l.models().size());
            Set<String> seen = new HashSet<>();
            for (DiscoveredModel m : l.models()) {
                CatalogEntry fresh = CatalogEntry.of(l.provider(), m, now);
                if (!seen.add(fresh.key())) {
                    continue;
                }
                listedKeys.add(fresh.key());
                CatalogEntry old = current.models().get(fresh.key());
                if (old == null) {
                    added.add(ref(fresh));
                    puts.add(fresh);
                    next.put(fresh.key(), fresh);
                } else if (!old.sameAs(fresh)) {
                    changed.add(ref(fresh));
                    puts.add(fresh);
                    next.put(fresh.key(), fresh);
                } else if (Duration.between(old.lastSeen(), now).compareTo(lastSeenResolution) >= 0) {
                    puts.add(old.seenAt(now));
                    next.put(fresh.key(), old.seenAt(now));
                }
            }
        }
        for (CatalogEntry old : current.models().values()) {
            boolean gone = answered.contains(old.provider()) && !listedKeys.contains(old.key());
            boolean unconfigured = !config.providers().containsKey(old.provider());
            if (gone || unconfigured) {
                removed.add(ref(old));
                deletes.add(old.key());
                next.remove(old.key());
            }
        }

        Map<String, ModelRoute> aliases = aliases(config, next);
        Map<String, ModelRoute> aliasPuts = new LinkedHashMap<>();
        List<String> aliasDeletes = new ArrayList<>();
        for (Map.Entry<String, ModelRoute> a : aliases.entrySet()) {
            ModelRoute old = current.aliases().get(a.getKey());
            if (old == null) {
                added.add(alias(a.getKey(), a.getValue()));
                aliasPuts.put(a.getKey(), a.getValue());
            } else if (!old.equals(a.getValue())) {
                changed.add(alias(a.getKey(), a.getValue()));
                aliasPuts.put(a.getKey(), a.getValue());
            }
        }
        for (Map.Entry<String, ModelRoute> a : current.aliases().entrySet()) {
            if (!aliases.containsKey(a.getKey())) {
                removed.add(alias(a.getKey(), a.getValue()));
                aliasDeletes.add(a.getKey());
            }
        }

        boolean truncated = false;
        if (pending != null) { // a run that failed half way: its names too, unless this run names them itself
            Set<String> named = new HashSet<>();
            for (List<ModelRef> l : List.of(added, removed, changed)) {
                l.forEach(r -> named.add(r.kind() + " " + r.name()));
            }
            fold(pending.added(), added, named);
            fold(pending.removed(), removed, named);
            fold(pending.changed(), changed, named);
            truncated = pending.truncated();
        }
        boolean change = !added.isEmpty() || !removed.isEmpty() || !changed.isEmpty() || pending != null;
        long generation = change ? current.generation() + 1 : current.generation();
        CatalogWrite write = new CatalogWrite(current.generation(), generation, puts, deletes, aliasPuts,
                aliasDeletes);
        boolean published = false;
        Comparator<ModelRef> byName = Comparator.comparing(ModelRef::name);
        added.sort(byName);
        removed.sort(byName);
        changed.sort(byName);
        ModelCatalogChanged event = change ? new ModelCatalogChanged(generation, current.generation(), added,
                removed, changed, List.copyOf(failed.keySet()), now, truncated) : null;
        if (change) {
            store.begin(event);
        }
        int writes = write.isEmpty() ? 0 : store.apply(write);
        if (change) {
            publisher.publish(event);
            store.finish(event);
            published = true;
        }
        return new DiscoveryReport(generation, current.generation(), added, removed, changed, failed, listed, writes,
                published, ticker.read() - start);
    }

    private static void fold(List<ModelRef> from, List<ModelRef> into, Set<String> named) {
        for (ModelRef r : from) {
            if (named.add(r.kind() + " " + r.name())) {
                into.add(r);
            }
        }
    }

    /** Configured aliases, plus every model id served by exactly one provider. */
    static Map<String, ModelRoute> aliases(GatewayConfig config, Map<String, CatalogEntry> entries) {
        Map<String, ModelRoute> bare = new HashMap<>();
        Set<String> ambiguous = new HashSet<>();
        for (CatalogEntry e : entries.values()) {
            ModelRoute r = new ModelRoute(e.provider(), e.modelId());
            ModelRoute prev = bare.putIfAbsent(e.modelId(), r);
            if (prev != null && !prev.equals(r)) {
                ambiguous.add(e.modelId());
            }
        }
        Map<String, ModelRoute> out = new TreeMap<>();
        bare.forEach((id, r) -> {
            if (!ambiguous.contains(id) && !entries.containsKey(id)) {
                out.put(id, r);
            }
        });
        out.putAll(config.models());
        return out;
    }

    private static ModelRef ref(CatalogEntry e) {
        return new ModelRef(e.key(), ModelRef.Kind.MODEL, e.provider(), e.modelId());
    }

    private static ModelRef alias(String name, ModelRoute r) {
        return new ModelRef(name, ModelRef.Kind.ALIAS, r.provider(), r.providerModel());
    }
}
