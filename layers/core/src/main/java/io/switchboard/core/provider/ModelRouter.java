package io.switchboard.core.provider;

import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.config.GatewayConfig;
import io.switchboard.shared.config.ModelRoute;
import java.util.Map;

/**
 * Resolves the model name a caller sends: a configured alias first ({@code gpt-4o-mini}, {@code fast}), then an
 * explicit {@code provider/model-id} for a configured provider. Anything else is 404 {@code model_not_found}.
 */
public final class ModelRouter {
    private static final int MAX_ECHO = 100;

    private final Map<String, ModelRoute> aliases;
    private final GatewayConfig config;

    /** A router over {@code config}'s aliases and providers. */
    public ModelRouter(GatewayConfig config) {
        this.config = config;
        this.aliases = config.models();
    }

    /** The route for {@code model}. */
    public ModelRoute resolve(String model) {
        ModelRoute r = aliases.get(model);
        if (r != null) {
            return r;
        }
        int slash = model.indexOf('/');
        if (slash > 0 && slash < model.length() - 1 && config.providers().containsKey(model.substring(0, slash))) {
            return new ModelRoute(model.substring(0, slash), model.substring(slash + 1));
        }
        throw GatewayException.of(ErrorKind.MODEL_NOT_FOUND, "The model '" + printable(model)
                + "' does not exist or is not served by this gateway.").withParam("model");
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_ECHO));
        for (int i = 0; i < s.length() && sb.length() < MAX_ECHO; i++) {
            char c = s.charAt(i);
            sb.append(Character.isISOControl(c) || c == '\'' ? '?' : c);
        }
        return s.length() > MAX_ECHO ? sb + "..." : sb.toString();
    }
}
