package io.switchboard.completion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.switchboard.core.Gateway;
import io.switchboard.core.config.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.InstantSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The streaming application as Lambda Web Adapter drives it: the readiness check, SnapStart's hooks relayed over
 * HTTP (priming and closing before the snapshot, re-arming after a restore), and the hooks refused to invocations.
 */
class CompletionServerLifecycleTest {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Gateway gateway;
    private HttpServer server;
    private HttpServer upstream;

    @BeforeEach
    void start() throws Exception {
        upstream = HttpServer.create(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 8);
        upstream.createContext("/v1/chat/completions", ex -> {
            ex.getRequestBody().readAllBytes();
            byte[] body = ("{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{"
                    + "\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"after restore\"},"
                    + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,"
                    + "\"total_tokens\":3}}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("content-type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        upstream.start();
        gateway = Gateway.builder(Settings.from(TestGateways.env("UP_KEY", "sk-up", "SWITCHBOARD_CONFIG",
                "{\"providers\":{\"up\":{\"type\":\"openai\",\"baseUrl\":\"http://127.0.0.1:"
                        + upstream.getAddress().getPort() + "/v1\",\"apiKey\":\"env:UP_KEY\"}},"
                        + "\"models\":{\"fast\":\"up/m\"}}")))
                .clock(InstantSource.fixed(TestGateways.NOW)).build();
        server = CompletionServer.start(new CompletionServer(gateway, InstantSource.system()), 0);
    }

    @AfterEach
    void stop() {
        server.stop(0);
        upstream.stop(0);
        gateway.close();
    }

    private HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort()
                + path)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> chat() throws Exception {
        return send("POST", "/v1/chat/completions",
                "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"after restore\"}]}",
                "authorization", "Bearer " + TestGateways.KEY, "content-type", "application/json");
    }

    @Test
    void ready_answersTheAdaptersReadinessCheck() throws Exception {
        HttpResponse<String> r = send("GET", CompletionServer.READY, null);
        assertEquals(200, r.statusCode());
        assertEquals("{\"status\":\"ready\"}", r.body());
    }

    @Test
    void snapStartHooks_overHttp_primeCloseAndRearm() throws Exception {
        assertEquals(200, chat().statusCode());
        assertTrue(gateway.httpClient().isBuilt(), "serving the provider built the HTTP client");

        HttpResponse<String> before = send("POST", CompletionServer.BEFORE_CHECKPOINT, null);
        assertEquals(204, before.statusCode(), before.body());
        assertFalse(gateway.httpClient().isBuilt(), "no HTTP client (and no socket) goes into the snapshot");
        assertTrue(gateway.hooks().describe().contains("prime completion server"),
                "the application's own primer is registered: " + gateway.hooks().describe());

        HttpResponse<String> after = send("POST", CompletionServer.AFTER_RESTORE, null);
        assertEquals(204, after.statusCode(), after.body());
        HttpResponse<String> served = chat();
        assertEquals(200, served.statusCode(), served.body());
        assertTrue(served.body().contains("after restore"));
        assertTrue(gateway.httpClient().isBuilt(), "a new client, made on first use after the restore");
    }

    @Test
    void snapStartHooks_refusedToInvocationsAndOtherMethods() throws Exception {
        // Lambda Web Adapter sets (and overwrites) these on every request it forwards: a caller can never reach a
        // hook through the API, even where the adapter's own 403 would not apply
        assertEquals(404, send("POST", CompletionServer.BEFORE_CHECKPOINT, null,
                "x-amzn-request-context", "{\"requestId\":\"r\"}").statusCode());
        assertEquals(404, send("POST", CompletionServer.AFTER_RESTORE, null,
                "x-amzn-lambda-context", "{\"request_id\":\"r\"}").statusCode());
        assertEquals(404, send("GET", CompletionServer.BEFORE_CHECKPOINT, null).statusCode());
        assertEquals(404, send("POST", "/_switchboard/anything", null).statusCode());
    }

    @Test
    void invocationContext_givesTheRequestIdAndTheDeadline() throws Exception {
        long deadline = System.currentTimeMillis() + 500; // less than the 750 ms the gateway keeps for itself
        HttpResponse<String> r = send("POST", "/v1/chat/completions",
                "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                "authorization", "Bearer " + TestGateways.KEY, "content-type", "application/json",
                "x-amzn-lambda-context", "{\"request_id\":\"lambda-1\",\"deadline\":" + deadline + "}",
                "x-amzn-request-context", "{\"requestId\":\"apigw-1\"}");
        assertEquals(504, r.statusCode(), "no time left to call the provider: " + r.body());
        assertEquals("apigw-1", r.headers().firstValue("x-request-id").orElse(null));
    }
}
