package io.switchboard.bench;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.switchboard.completion.CompletionHandler;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.shared.json.Json;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The gateway's own cost per request: the completion handler invoked in-process (as the Lambda runtime would, event
 * object in, response object out) against the mock provider at zero latency, so everything measured is gateway
 * overhead. Reports, for the measured requests, the handler's wall time and the {@code x-switchboard-overhead-ms} the
 * gateway reported, plus a baseline in the same run (Jackson parsing and writing the same body) so results can be
 * read as a ratio on a noisy machine.
 *
 * <pre>java -cp bench/target/switchboard-bench.jar io.switchboard.bench.OverheadBench [--requests 10000]
 *     [--warmup 20000] [--metrics emf|off] [--cache off|on] [--stream] [--out bench/results/overhead.json]</pre>
 * With {@code --cache off} (the default) every request goes through the whole uncached path; see
 * {@link CacheBench} for the cache paths.
 */
public final class OverheadBench {
    private static final String KEY = "sk-bench";

    private OverheadBench() {
    }

    public static void main(String[] args) throws Exception {
        int requests = 10_000;
        int warmup = 20_000;
        String metrics = "emf";
        String cache = "off";
        boolean stream = false;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--requests" -> requests = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--metrics" -> metrics = args[++i];
                case "--stream" -> stream = true;
                case "--cache" -> cache = args[++i];
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Map<String, String> env = new HashMap<>();
        env.put("SWITCHBOARD_API_KEYS", "bench:" + Authenticator.sha256Hex(KEY));
        env.put("SWITCHBOARD_METRICS", metrics);
        env.put("SWITCHBOARD_MOCK_LATENCY_MS", "0");
        env.put("SWITCHBOARD_CACHE", cache);
        env.put("AWS_LAMBDA_FUNCTION_NAME", "bench");

        PrintStream console = System.out;
        CountingStream sink = new CountingStream();
        System.setOut(new PrintStream(sink, false)); // EMF documents are produced and discarded, as Lambda ships them
        CompletionHandler handler = new CompletionHandler(env);

        String body = "{\"model\":\"fast\",\"temperature\":0,\"max_tokens\":64,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"system\",\"content\":\"You are a concise assistant.\"},"
                + "{\"role\":\"user\",\"content\":\"Summarise the benefits of an LLM gateway in two sentences.\"}]}";
        APIGatewayV2HTTPEvent event = event(body, KEY);

        for (int i = 0; i < warmup; i++) {
            check(handler.handleRequest(event, null));
            baseline(body);
        }
        long[] wall = new long[requests];
        long[] reported = new long[requests];
        long[] base = new long[requests];
        for (int i = 0; i < requests; i++) {
            long t0 = System.nanoTime();
            APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
            long t1 = System.nanoTime();
            baseline(body);
            long t2 = System.nanoTime();
            check(r);
            wall[i] = t1 - t0;
            base[i] = t2 - t1;
            reported[i] = (long) (Double.parseDouble(r.getHeaders().get("x-switchboard-overhead-ms")) * 1e6);
        }
        System.setOut(console);

        Percentiles w = Percentiles.of(wall);
        Percentiles g = Percentiles.of(reported);
        Percentiles b = Percentiles.of(base);
        System.out.println("Switchboard handler overhead, mock provider at 0 ms, " + (stream ? "stream" : "non-stream")
                + ", metrics " + metrics + ", cache " + cache + ", " + requests + " requests after " + warmup + " warm-up, JDK "
                + Runtime.version());
        System.out.println(w.row("handler wall time"));
        System.out.println(g.row("x-switchboard-overhead-ms"));
        System.out.println(b.row("baseline: Jackson parse+write body"));
        System.out.printf(Locale.ROOT, "ratio handler/baseline at p50: %.1fx; EMF bytes per request: %d%n",
                (double) w.p50() / Math.max(1, b.p50()), sink.count / Math.max(1, requests + warmup));
        if (out != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, "{\"requests\":" + requests + ",\"warmup\":" + warmup + ",\"metrics\":\""
                    + metrics + "\",\"stream\":" + stream + ",\"handler\":" + w.json() + ",\"reported_overhead\":"
                    + g.json() + ",\"baseline\":" + b.json() + "}\n");
        }
    }

    private static void baseline(String body) throws Exception {
        Json.MAPPER.writeValueAsBytes(Json.MAPPER.readTree(body));
    }

    private static void check(APIGatewayV2HTTPResponse r) {
        if (r.getStatusCode() != 200) {
            throw new IllegalStateException("unexpected status " + r.getStatusCode() + ": " + r.getBody());
        }
    }

    static APIGatewayV2HTTPEvent event(String body, String key) {
        return event(body, key, "POST", "/v1/chat/completions");
    }

    /** An HTTP API v2 event for {@code method path} with the gateway key {@code key}. */
    static APIGatewayV2HTTPEvent event(String body, String key, String method, String path) {
        Map<String, String> headers = new HashMap<>();
        headers.put("authorization", "Bearer " + key);
        headers.put("content-type", "application/json");
        headers.put("user-agent", "bench");
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey(method + " " + path)
                .withRawPath(path)
                .withHeaders(headers)
                .withBody(body)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId("bench")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                .withMethod(method).withPath(path).build())
                        .build())
                .build();
    }

    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }

}
