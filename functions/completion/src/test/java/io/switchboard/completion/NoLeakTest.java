package io.switchboard.completion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An upstream that fails in every way and echoes the prompt and the key it received in its error bodies: the
 * gateway's answer, its logs and its metrics (EMF on stdout) must contain neither.
 */
class NoLeakTest {
    private static final String PROMPT = "PROMPT-SECRET-c0ffee";
    private static final String UPSTREAM_KEY = "sk-upstream-SECRET-beef";

    private HttpServer upstream;
    private final AtomicInteger status = new AtomicInteger();
    private PrintStream out;
    private PrintStream err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/v1/chat/completions", ex -> {
            String received = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String auth = ex.getRequestHeaders().getFirst("authorization");
            byte[] body = ("{\"error\":{\"message\":\"bad: " + received.replace("\"", "'") + " with " + auth
                    + "\",\"type\":\"x\",\"param\":\"" + PROMPT + "\",\"code\":\"" + UPSTREAM_KEY + "\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            if (status.get() == 200) {
                body = ("{\"choices\": [ \"" + PROMPT).getBytes(StandardCharsets.UTF_8);
            }
            ex.getResponseHeaders().set("content-type", "application/json");
            ex.sendResponseHeaders(status.get(), body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        upstream.start();
        out = System.out;
        err = System.err;
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
    }

    @AfterEach
    void stop() {
        System.setOut(out);
        System.setErr(err);
        upstream.stop(0);
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 400, 401, 404, 429, 500, 503})
    void handleRequest_failingUpstream_leaksNeitherPromptNorKey(int upstreamStatus) {
        status.set(upstreamStatus);
        String config = "{\"providers\":{\"up\":{\"type\":\"openai\",\"baseUrl\":\"http://127.0.0.1:"
                + upstream.getAddress().getPort() + "/v1\",\"apiKey\":\"env:UP_KEY\"}},"
                + "\"models\":{\"m\":\"up/model-x\"}}";
        CompletionHandler handler = TestGateways.handler("SWITCHBOARD_CONFIG", config, "UP_KEY", UPSTREAM_KEY,
                "SWITCHBOARD_METRICS", "emf");

        APIGatewayV2HTTPResponse r = handler.handleRequest(TestGateways.post(
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT + "\"}]}"), null);

        assertTrue(r.getStatusCode() >= 400, "upstream " + upstreamStatus + " must fail the request");
        handler.close(); // writes the batched metrics (as before a checkpoint or at shutdown)
        String logs = captured.toString(StandardCharsets.UTF_8);
        assertTrue(logs.contains("\"request failed\""), "the failure's line for Logs Insights: " + logs);
        assertTrue(logs.contains("\"Requests\""), "metrics were written to stdout: " + logs);
        for (String secret : new String[] {PROMPT, UPSTREAM_KEY, TestGateways.KEY}) {
            assertFalse(r.getBody().contains(secret), "response body leaks " + secret + ": " + r.getBody());
            r.getHeaders().values().forEach(v -> assertFalse(v.contains(secret), "header leaks " + secret));
            assertFalse(logs.contains(secret), "logs leak " + secret);
        }
        if (upstreamStatus == 429) {
            assertEquals(429, r.getStatusCode());
        }
    }
}
