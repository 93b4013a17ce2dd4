package io.switchboard.bench;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import io.switchboard.core.snapstart.Checkpointable;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One cold start, in a fresh JVM whose classpath is exactly the layer's jars and one function's jar (plus this
 * class): builds the handler as the runtime would (init), optionally runs the SnapStart cycle (before-checkpoint,
 * after-restore) as Lambda does when it takes and restores a snapshot, then invokes twice. Prints one JSON line.
 *
 * <p>Arguments: {@code handlerClass route priming(on|off)}, where route is {@code completion} or {@code models}.
 */
public final class ColdStartProbe {
    private ColdStartProbe() {
    }

    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        long jvmStartMs = ManagementFactory.getRuntimeMXBean().getStartTime();
        long mainAt = System.currentTimeMillis();
        String handlerClass = args[0];
        String route = args[1];
        boolean priming = args[2].equals("on");
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("SWITCHBOARD_API_KEYS", "bench:6bccec7089b14128e3d4b4f1824058eddcf6f7788a2c0c91cb57fb80c28871d3");
        env.put("AWS_LAMBDA_FUNCTION_NAME", "coldstart");

        long t0 = System.nanoTime();
        Object handler = Class.forName(handlerClass).getConstructor(Map.class).newInstance(env);
        long t1 = System.nanoTime();
        long primeNanos = 0;
        if (priming && handler instanceof Checkpointable c) {
            c.checkpointHooks().beforeCheckpoint();
            long tb = System.nanoTime();
            c.checkpointHooks().afterRestore();
            primeNanos = tb - t1;
            t1 = System.nanoTime();
        }
        int classesBeforeInvoke = ManagementFactory.getClassLoadingMXBean().getLoadedClassCount();
        APIGatewayV2HTTPEvent event = route.equals("models")
                ? OverheadBench.event(null, "sk-coldstart", "GET", "/v1/models")
                : OverheadBench.event("{\"model\":\"fast\",\"temperature\":0.5,\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"Hello\"}]}", "sk-coldstart", "POST", "/v1/chat/completions");
        RequestHandler<APIGatewayV2HTTPEvent, ?> h = (RequestHandler<APIGatewayV2HTTPEvent, ?>) handler;
        long i0 = System.nanoTime();
        Object first = h.handleRequest(event, null);
        long i1 = System.nanoTime();
        h.handleRequest(event, null);
        long i2 = System.nanoTime();
        int status = ((com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse) first).getStatusCode();
        System.err.printf(Locale.ROOT, "{\"jvmToMainMs\":%d,\"initMs\":%.1f,\"snapCycleMs\":%.1f,\"firstInvokeMs\":%.2f,"
                + "\"secondInvokeMs\":%.2f,\"classesBeforeFirstInvoke\":%d,\"status\":%d}%n", mainAt - jvmStartMs,
                (t1 - t0 - primeNanos) / 1e6, primeNanos / 1e6, (i1 - i0) / 1e6, (i2 - i1) / 1e6, classesBeforeInvoke,
                status);
    }
}
