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
 * @param routes its HTTP API routes
 */
public record FunctionSpec(String logicalId, String handler, Duration timeout, int memoryMb, int reservedConcurrency,
        Map<String, String> environment, List<Route> routes) {
    public FunctionSpec {
        environment = Map.copyOf(environment);
        routes = List.copyOf(routes);
    }

    /** The handler's class name. */
    public String handlerClass() {
        int sep = handler.indexOf("::");
        return sep < 0 ? handler : handler.substring(0, sep);
    }
}
