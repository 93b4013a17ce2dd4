package io.switchboard.completion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.core.Gateway;
import io.switchboard.core.config.Settings;
import io.switchboard.shared.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The invocation context Lambda Web Adapter passes in headers: request id precedence, deadline, bad input. */
class LambdaContextHeadersTest {
    private static final long NOW = 1_764_000_000_000L;

    @Test
    void read_bothHeaders_apiGatewayRequestIdWins() {
        LambdaContextHeaders h = LambdaContextHeaders.read(
                "{\"request_id\":\"lambda-1\",\"deadline\":" + (NOW + 5000) + "}", "{\"requestId\":\"apigw-1\"}");
        assertEquals("apigw-1", h.requestId());
        assertEquals(NOW + 5000, h.deadlineEpochMillis());
    }

    @Test
    void read_lambdaContextOnly_usesItsRequestId() {
        assertEquals("lambda-1", LambdaContextHeaders.read("{\"request_id\":\"lambda-1\"}", null).requestId());
    }

    @Test
    void read_requestContextOnly_usesItsRequestIdWithoutDeadline() {
        LambdaContextHeaders h = LambdaContextHeaders.read(null, "{\"requestId\":\"apigw-1\",\"stage\":\"v1\"}");
        assertEquals("apigw-1", h.requestId());
        assertEquals(Long.MAX_VALUE, h.deadlineEpochMillis());
        assertEquals(Long.MAX_VALUE, h.remainingMillis(NOW));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"requestId\":\"\"}", "{\"requestId\":42}", "{\"requestId\":null}", "{}",
            "{\"request_id\":\"apigw-uses-camel-case\"}"})
    void read_unusableApiGatewayRequestId_fallsBackToLambdas(String requestContext) {
        assertEquals("lambda-1",
                LambdaContextHeaders.read("{\"request_id\":\"lambda-1\"}", requestContext).requestId());
    }

    @Test
    void read_overlongRequestId_isIgnored() {
        String id = "x".repeat(129);
        assertNull(LambdaContextHeaders.read("{\"request_id\":\"" + id + "\"}", null).requestId());
        assertEquals("x".repeat(128),
                LambdaContextHeaders.read("{\"request_id\":\"" + "x".repeat(128) + "\"}", null).requestId());
    }

    @Test
    void remainingMillis_isDeadlineMinusNow_neverNegative() {
        LambdaContextHeaders h = LambdaContextHeaders.read("{\"request_id\":\"r\",\"deadline\":" + (NOW + 1234) + "}",
                null);
        assertEquals(1234, h.remainingMillis(NOW));
        assertEquals(1, h.remainingMillis(NOW + 1233));
        assertEquals(0, h.remainingMillis(NOW + 1234));
        assertEquals(0, h.remainingMillis(NOW + 60_000), "a deadline in the past leaves no time, not negative time");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-5", "\"1764000005000\"", "null", "true", "{}"})
    void read_unusableDeadline_meansUnbounded(String deadline) {
        LambdaContextHeaders h = LambdaContextHeaders.read("{\"request_id\":\"r\",\"deadline\":" + deadline + "}",
                null);
        assertEquals("r", h.requestId(), "the rest of the header is still read");
        assertEquals(Long.MAX_VALUE, h.deadlineEpochMillis());
        assertEquals(Long.MAX_VALUE, h.remainingMillis(NOW));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "   ", "{not json", "[\"request_id\",\"x\"]", "\"request_id\"", "42",
            "{\"request_id\":\"a\",\"deadline\":1764000005000", "{\"request_id\":\"a\"} trailing"})
    void read_malformedLambdaContext_isIgnored(String lambdaContext) {
        LambdaContextHeaders h = LambdaContextHeaders.read(lambdaContext, null);
        assertEquals(Long.MAX_VALUE, h.deadlineEpochMillis());
        assertEquals(Long.MAX_VALUE, h.remainingMillis(NOW));
        if (lambdaContext == null || !lambdaContext.contains("trailing")) {
            assertNull(h.requestId());
        }
        // and a malformed one never hides a good request context
        assertEquals("apigw-1", LambdaContextHeaders.read(lambdaContext, "{\"requestId\":\"apigw-1\"}").requestId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{broken", "[]", "null"})
    void read_malformedRequestContext_isIgnored(String requestContext) {
        LambdaContextHeaders h = LambdaContextHeaders.read(
                "{\"request_id\":\"lambda-1\",\"deadline\":" + (NOW + 10) + "}", requestContext);
        assertEquals("lambda-1", h.requestId());
        assertEquals(NOW + 10, h.deadlineEpochMillis());
    }

    @Test
    void read_oversizedHeader_isIgnored() {
        String huge = "{\"request_id\":\"big\",\"pad\":\"" + "p".repeat(64 * 1024) + "\"}";
        assertNull(LambdaContextHeaders.read(huge, null).requestId());
    }

    /** Through the server: the headers set the request id and bound the call by the invocation's deadline. */
    @Test
    void completionServer_readsContextHeaders_forRequestIdAndDeadline() throws Exception {
        Instant now = Instant.ofEpochMilli(NOW);
        Gateway gateway = Gateway.builder(Settings.from(TestGateways.env())).clock(InstantSource.fixed(now)).build();
        HttpServer server = CompletionServer.start(new CompletionServer(gateway, InstantSource.fixed(now)), 0);
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + Gateway.CHAT_COMPLETIONS);
            String body = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

            HttpResponse<String> plenty = client.send(request(url, body, NOW + 60_000),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, plenty.statusCode(), plenty.body());
            assertEquals("apigw-7", plenty.headers().firstValue("x-request-id").orElse(null));

            HttpResponse<String> late = client.send(request(url, body, NOW + 100),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(504, late.statusCode(), late.body());
            JsonNode error = Json.MAPPER.readTree(late.body()).path("error");
            assertEquals("upstream_timeout", error.path("code").asText());
            assertFalse(late.headers().firstValue("x-switchboard-provider").isPresent());
            assertTrue(late.headers().firstValue("x-request-id").isPresent());
        } finally {
            server.stop(0);
            gateway.close();
        }
    }

    private static HttpRequest request(URI url, String body, long deadline) {
        return HttpRequest.newBuilder(url)
                .header("authorization", "Bearer " + TestGateways.KEY)
                .header("content-type", "application/json")
                .header(LambdaContextHeaders.LAMBDA_CONTEXT,
                        "{\"request_id\":\"lambda-7\",\"deadline\":" + deadline + ",\"invoked_function_arn\":\"x\"}")
                .header(LambdaContextHeaders.REQUEST_CONTEXT, "{\"requestId\":\"apigw-7\",\"stage\":\"$default\"}")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
