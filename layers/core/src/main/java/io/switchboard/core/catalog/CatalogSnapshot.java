package io.switchboard.core.catalog;

import io.switchboard.core.catalog.internal.EditDistance;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.catalog.ModelInfo;
import io.switchboard.shared.config.GatewayConfig;
import io.switchboard.shared.config.ModelRoute;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable view of the catalog for the request path: every name a caller may send (aliases and
 * {@code provider/modelId}) mapped to its route, restricted to the providers this environment has configured.
 * {@link #route(String)} is one hash lookup and allocates nothing.
 */
public final class CatalogSnapshot {
    /** Where a snapshot's names come from. */
    public enum Source {
        /** The bundled configuration only (no table, or the table unreachable). */
        CONFIG,
        /** The DynamoDB catalog, merged over the bundled aliases. */
        CATALOG
    }

    private static final int MAX_ECHO = 100;

    private final long generation;
    private final Source source;
    private final Map<String, ModelRoute> routes;
    private final Map<String, ModelInfo> models;
    private final List<ModelInfo> list;

    private CatalogSnapshot(long generation, Source source, Map<String, ModelRoute> routes,
            Map<String, ModelInfo> models) {
        this.generation = generation;
        this.source = source;
        this.routes = Map.copyOf(routes);
        this.models = Map.copyOf(models);
        List<ModelInfo> l = new ArrayList<>(models.values());
        l.sort(Comparator.comparing(ModelInfo::id));
        this.list = List.copyOf(l);
    }

    /** The bundled configuration's aliases and their targets. */
    public static CatalogSnapshot fromConfig(GatewayConfig config) {
        return build(Catalog.EMPTY, config, Source.CONFIG);
    }

    /** {@code catalog} merged over {@code config}'s aliases, for the providers {@code config} has. */
    public static CatalogSnapshot of(Catalog catalog, GatewayConfig config) {
        return build(catalog, config, Source.CATALOG);
    }

    private static CatalogSnapshot build(Catalog catalog, GatewayConfig config, Source source) {
        Map<String, ModelRoute> routes = new HashMap<>();
        Map<String, ModelInfo> models = new HashMap<>();
        for (Map.Entry<String, ModelRoute> a : config.models().entrySet()) {
            ModelRoute r = a.getValue();
            routes.put(a.getKey(), r);
            models.put(a.getKey(), new ModelInfo(a.getKey(), 0, r.provider()));
            String target = r.toString();
            routes.putIfAbsent(target, r);
            models.putIfAbsent(target, new ModelInfo(target, 0, r.provider()));
        }
        for (CatalogEntry e : catalog.models().values()) {
            if (config.providers().containsKey(e.provider())) {
                routes.put(e.key(), new ModelRoute(e.provider(), e.modelId()));
                models.put(e.key(), new ModelInfo(e.key(), e.created(), e.ownedBy()));
            }
        }
        for (Map.Entry<String, ModelRoute> a : catalog.aliases().entrySet()) {
            ModelRoute r = a.getValue();
            if (config.providers().containsKey(r.provider())) {
                routes.put(a.getKey(), r);
                CatalogEntry target = catalog.models().get(r.toString());
                models.put(a.getKey(), target == null ? new ModelInfo(a.getKey(), 0, r.provider())
                        : new ModelInfo(a.getKey(), target.created(), target.ownedBy()));
            }
        }
        return new CatalogSnapshot(catalog.generation(), source, routes, models);
    }

    /** The route for {@code name}, or null. No allocation. */
    public ModelRoute route(String name) {
        return routes.get(name);
    }

    /** The model named {@code id} in OpenAI's format. */
    public Optional<ModelInfo> model(String id) {
        return Optional.ofNullable(models.get(id));
    }

    /** Every name as OpenAI's model objects, sorted by id. */
    public List<ModelInfo> models() {
        return list;
    }

    /** Up to {@code limit} known names closest to {@code name}. */
    public List<String> closeMatches(String name, int limit) {
        return EditDistance.closest(name, routes.keySet(), limit);
    }

    /**
     * The 404 {@code model_not_found} for {@code name}, naming up to three close matches. At most 100 characters of
     * the caller's input are echoed, with control characters and quotes replaced.
     */
    public GatewayException notFound(String name) {
        String shown = name.length() > MAX_ECHO ? name.substring(0, MAX_ECHO) : name;
        List<String> close = closeMatches(shown, 3);
        StringBuilder m = new StringBuilder("The model '").append(printable(shown))
                .append(name.length() > MAX_ECHO ? "..." : "")
                .append("' does not exist or is not served by this gateway.");
        if (!close.isEmpty()) {
            m.append(" Did you mean ");
            for (int i = 0; i < close.size(); i++) {
                m.append(i == 0 ? "" : i == close.size() - 1 ? " or " : ", ").append('\'').append(close.get(i))
                        .append('\'');
            }
            m.append('?');
        }
        return GatewayException.of(ErrorKind.MODEL_NOT_FOUND, m.toString()).withParam("model");
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(Character.isISOControl(c) || c == '\'' || c == '"' ? '?' : c);
        }
        return sb.toString();
    }

    /** The catalog generation this snapshot shows (0 for the configuration alone). */
    public long generation() {
        return generation;
    }

    /** Where the names come from. */
    public Source source() {
        return source;
    }

    /** How many names resolve. */
    public int size() {
        return routes.size();
    }

    @Override
    public String toString() {
        return "CatalogSnapshot[" + source + ", generation " + generation + ", " + routes.size() + " names]";
    }
}
