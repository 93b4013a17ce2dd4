package io.switchboard.local;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A Lambda function as the template declares it, with its intrinsic functions resolved for a local run.
 *
 * @param logicalId the resource's logical id
 * @param handler {@code class::method}
 * @param timeout the function timeout
 * @param memoryMb memory size
 * @param reservedConcurrency most environments at once
 * @param environment resolved environment variables
 * @param routes its API routes
 */
public record FunctionSpec(String logicalId, String handler, Duration timeout, int memoryMb, int reservedConcurrency,
        Map<String, String> environment, List<Route> routes) {
    /**
     * The variable naming the HTTP application class of a function that runs behind Lambda Web Adapter (its
     * {@code Handler} is the start script, which runs this class).
     */
    public static final String HTTP_APP = "SWITCHBOARD_HTTP_APP";

    public FunctionSpec {
        environment = Map.copyOf(environment);
        routes = List.copyOf(routes);
    }

    /** Whether the function is an HTTP application behind Lambda Web Adapter. */
    public boolean httpApp() {
        return handler.endsWith(".sh") && environment.containsKey(HTTP_APP);
    }

    /** The handler's class name (an HTTP application's class for a function behind Lambda Web Adapter). */
    public String handlerClass() {
        if (httpApp()) {
            return environment.get(HTTP_APP);
        }
        int sep = handler.indexOf("::");
        return sep < 0 ? handler : handler.substring(0, sep);
    }
}
