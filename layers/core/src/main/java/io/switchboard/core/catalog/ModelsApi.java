package io.switchboard.core.catalog;

import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.http.GatewayRequest;
import io.switchboard.core.http.ErrorResponses;
import io.switchboard.core.http.GatewayResponse;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.catalog.CatalogJson;
import io.switchboard.shared.catalog.ModelInfo;
import io.switchboard.shared.json.ChatJson;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}} in OpenAI's format, served from the catalog snapshot (never
 * by calling a provider). Aliases are listed as models of their own. Needs a gateway key like every route.
 */
public final class ModelsApi {
    /** The list route. */
    public static final String MODELS = "/v1/models";

    private final Authenticator authenticator;
    private final io.switchboard.core.governance.KeyDirectory keys;
    private final Supplier<CatalogSnapshot> snapshots;

    /** An API authenticating with {@code authenticator} and answering from {@code snapshots}. */
    public ModelsApi(Authenticator authenticator, Supplier<CatalogSnapshot> snapshots) {
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.keys = null;
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
    }

    /**
     * An API resolving callers through {@code keys} (stored and environment keys): a stored key sees only the
     * models it may use, and any other model answers 404 as a model that does not exist.
     */
    public ModelsApi(io.switchboard.core.governance.KeyDirectory keys, Supplier<CatalogSnapshot> snapshots) {
        this.authenticator = null;
        this.keys = Objects.requireNonNull(keys, "keys");
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
    }

    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return raw;
        }
    }

    /**
     * Serves {@code request}; never throws.
     *
     * @param pathId the {@code {id}} path parameter when the platform extracted it, else null (read from the path)
     */
    public GatewayResponse handle(GatewayRequest request, String pathId) {
        Map<String, String> headers = new HashMap<>();
        headers.put("content-type", "application/json");
        if (request.requestId() != null) {
            headers.put("x-request-id", request.requestId());
        }
        try {
            String path = request.path();
            boolean list = path.equals(MODELS) || path.equals(MODELS + "/");
            if (!list && !path.startsWith(MODELS + "/")) {
                throw GatewayException.of(ErrorKind.NOT_FOUND, "No route for this path.");
            }
            if (!request.method().equals("GET")) {
                headers.put("allow", "GET");
                throw GatewayException.of(ErrorKind.METHOD_NOT_ALLOWED, "Use GET for " + MODELS + ".");
            }
            io.switchboard.core.governance.Principal caller = null;
            if (keys != null) {
                caller = keys.resolve(request.header("authorization"));
            } else {
                authenticator.authenticate(request.header("authorization"));
            }
            CatalogSnapshot snapshot = snapshots.get();
            headers.put("x-switchboard-catalog-generation", Long.toString(snapshot.generation()));
            if (list) {
                java.util.List<ModelInfo> models = snapshot.models();
                if (caller != null && caller.key() != null) {
                    var c = caller;
                    models = models.stream().filter(mi -> c.allows(mi.id())).toList();
                }
                return new GatewayResponse(200, headers, CatalogJson.writeList(models));
            }
            String id = pathId != null ? pathId : decode(path.substring(MODELS.length() + 1));
            boolean restricted = caller != null && caller.key() != null && !caller.key().models().isEmpty();
            if (restricted && !caller.allows(id)) {
                throw io.switchboard.core.governance.Governance.unknownModel(id);
            }
            Optional<ModelInfo> model = snapshot.model(id);
            if (model.isEmpty()) {
                throw restricted ? io.switchboard.core.governance.Governance.unknownModel(id) : snapshot.notFound(id);
            }
            return new GatewayResponse(200, headers, CatalogJson.writeModel(model.get()));
        } catch (GatewayException e) {
            return new GatewayResponse(e.status(), ErrorResponses.headers(e, headers), ChatJson.writeError(e));
        } catch (RuntimeException e) {
            GatewayException g = GatewayException.of(ErrorKind.INTERNAL, "The gateway failed to list the models.");
            System.err.println("{\"level\":\"ERROR\",\"route\":\"models\",\"cause\":\"" + e.getClass().getName()
                    + "\"}");
            return new GatewayResponse(g.status(), ErrorResponses.headers(g, headers), ChatJson.writeError(g));
        }
    }
}
