package io.switchboard.core.provider.openai;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.provider.EmbeddingCall;
import io.switchboard.core.provider.openai.FakeOpenAiServer.Recorded;
import io.switchboard.core.provider.openai.FakeOpenAiServer.Reply;
import io.switchboard.core.secrets.SecretResolver;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.config.SecretRef;
import io.switchboard.shared.embeddings.EmbeddingRequest;
import io.switchboard.shared.embeddings.EmbeddingResponse;
import io.switchboard.shared.json.ChatJson;
import io.switchboard.shared.json.EmbeddingRequestReader;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import io.switchboard.core.net.Http1Client;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** {@link OpenAiProvider#embed} against a loopback server speaking OpenAI's embeddings wire format. */
class OpenAiEmbeddingsTest {
    private static final String KEY = "sk-test-secret-456";
    private static final String PROVIDER_MODEL = "text-embedding-3-small";
    private static final String SECRET_INPUT = "my bank PIN is 4321";
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private static Http1Client sharedHttpClient;

    private FakeOpenAiServer server;
    private OpenAiProvider provider;

    @BeforeAll
    static void buildClient() {
        sharedHttpClient = Http1Client.withDefaults();
    }

    @AfterAll
    static void closeClient() {
        sharedHttpClient.close();
    }

    @BeforeEach
    void startServer() throws IOException {
        server = FakeOpenAiServer.start();
        provider = provider(server.baseUrl());
    }

    @AfterEach
    void stopServer() {
        server.close();
        assertTrue(server.failures().isEmpty(), () -> "fake server failed: " + server.failures());
    }

    private static OpenAiProvider provider(URI baseUrl) {
        return new OpenAiProvider(
                ProviderConfig.openai("openai", baseUrl, new SecretRef(SecretRef.Source.ENV, "OPENAI_API_KEY"),
                        TIMEOUT),
                () -> sharedHttpClient,
                new SecretResolver(Map.of("OPENAI_API_KEY", KEY), name -> {
                    throw new IllegalStateException();
                }, System::nanoTime, Duration.ofMinutes(5)),
                InstantSource.system());
    }

    private static EmbeddingRequest request(String json) {
        return EmbeddingRequestReader.read(json.getBytes(StandardCharsets.UTF_8));
    }

    private static EmbeddingCall call(EmbeddingRequest r, Duration timeout) {
        return new EmbeddingCall(r, PROVIDER_MODEL, timeout, "req-embed-1", System::nanoTime);
    }

    private static final String SIMPLE = "{\"model\":\"small\",\"input\":[\"" + SECRET_INPUT + "\",\"second\"]}";

    private GatewayException embedFails() {
        return embedFails(TIMEOUT);
    }

    private GatewayException embedFails(Duration timeout) {
        return assertThrows(GatewayException.class, () -> provider.embed(call(request(SIMPLE), timeout)));
    }

    private static JsonNode tree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** OpenAI's answer with numbers, as the API sends it. */
    static String floatAnswer(float[]... vectors) {
        StringBuilder sb = new StringBuilder("{\n  \"object\": \"list\",\n  \"data\": [\n");
        for (int i = 0; i < vectors.length; i++) {
            sb.append("    {\n      \"object\": \"embedding\",\n      \"index\": ").append(i)
                    .append(",\n      \"embedding\": [\n");
            for (int k = 0; k < vectors[i].length; k++) {
                sb.append("        ").append(vectors[i][k]).append(k + 1 < vectors[i].length ? ",\n" : "\n");
            }
            sb.append("      ]\n    }").append(i + 1 < vectors.length ? ",\n" : "\n");
        }
        return sb.append("  ],\n  \"model\": \"text-embedding-3-small\",\n  \"usage\": {\n    \"prompt_tokens\": 8,\n"
                + "    \"total_tokens\": 8\n  }\n}\n").toString();
    }

    /** OpenAI's answer with {@code encoding_format: base64}: little-endian float32, base64. */
    static String base64Answer(float[]... vectors) {
        StringBuilder sb = new StringBuilder("{\"object\":\"list\",\"data\":[");
        for (int i = 0; i < vectors.length; i++) {
            ByteBuffer b = ByteBuffer.allocate(vectors[i].length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : vectors[i]) {
                b.putFloat(f);
            }
            sb.append(i > 0 ? "," : "").append("{\"object\":\"embedding\",\"index\":").append(i)
                    .append(",\"embedding\":\"").append(Base64.getEncoder().encodeToString(b.array())).append("\"}");
        }
        return sb.append("],\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}")
                .toString();
    }

    private static final float[] A = {0.0023064255f, -0.009327292f, 0.015797347f, -0.0077780345f};
    private static final float[] B = {-0.012470183f, 0.0045217714f, 0.0f, 0.99f};

    @Test
    void embed_exactRequestOnTheWire_andFloatAnswer() {
        server.respond(Reply.json(200, floatAnswer(A, B)));
        String caller = """
                {
                  "input": ["%s", "second"],
                  "model": "small",
                  "dimensions": 4,
                  "encoding_format": "float",
                  "user": "user-1234",
                  "x_vendor_truncate": "END",
                  "input_type": {"kind": "query", "nested": [1, 2.5, null]}
                }""".formatted(SECRET_INPUT);

        EmbeddingResponse r = provider.embed(call(request(caller), TIMEOUT));

        Recorded got = server.onlyRequest();
        assertEquals("POST", got.method());
        assertEquals("/v1/embeddings", got.path());
        assertEquals("Bearer " + KEY, got.header("authorization"));
        assertEquals("application/json", got.header("content-type"));
        assertEquals("req-embed-1", got.header("x-request-id"));
        assertEquals(tree("""
                {"model": "text-embedding-3-small", "input": ["%s", "second"], "encoding_format": "float",
                 "dimensions": 4, "user": "user-1234", "x_vendor_truncate": "END",
                 "input_type": {"kind": "query", "nested": [1, 2.5, null]}}""".formatted(SECRET_INPUT)), got.json(),
                "model replaced by the provider's id, every other field as sent");

        assertEquals("text-embedding-3-small", r.model());
        assertEquals(8, r.promptTokens());
        assertArrayEquals(A, r.data().get(0).toArray());
        assertArrayEquals(B, r.data().get(1).toArray());
    }

    @Test
    void embed_base64AskedAndAnswered_tokensInputAsSent() {
        server.respond(Reply.json(200, base64Answer(A)));
        EmbeddingResponse r = provider.embed(call(request(
                "{\"model\":\"small\",\"input\":[1212,318,257],\"encoding_format\":\"base64\"}"), TIMEOUT));
        assertEquals(tree("{\"model\":\"text-embedding-3-small\",\"input\":[1212,318,257],\"encoding_format\":\"base64\"}"),
                server.onlyRequest().json());
        assertArrayEquals(A, r.data().get(0).toArray());
    }

    @Test
    void embed_providerIgnoringEncodingFormat_stillRead() {
        // an OpenAI-compatible server that answers numbers although base64 was asked for, and the reverse
        server.respond(Reply.json(200, floatAnswer(A, B)));
        EmbeddingResponse numbers = provider.embed(call(request(SIMPLE.replace("}", ",\"encoding_format\":\"base64\"}")),
                TIMEOUT));
        assertArrayEquals(B, numbers.data().get(1).toArray());
        server.respond(Reply.json(200, base64Answer(A, B)));
        EmbeddingResponse b64 = provider.embed(call(request(SIMPLE), TIMEOUT));
        assertArrayEquals(B, b64.data().get(1).toArray());
    }

    @Test
    void embed_upstreamTimeCounted() {
        server.respond(Reply.json(200, floatAnswer(A, B)).withDelay(Duration.ofMillis(100)));
        EmbeddingCall c = call(request(SIMPLE), TIMEOUT);
        provider.embed(c);
        assertTrue(c.upstreamNanos() >= 90_000_000L, "upstream time " + c.upstreamNanos() / 1_000_000 + " ms");
    }

    @Test
    void embed_401_isUpstreamAuthentication() {
        server.respond(Reply.error(401, "Incorrect API key provided: " + KEY + ".", "invalid_request_error", null,
                "invalid_api_key"));
        GatewayException e = embedFails();
        assertEquals(ErrorKind.UPSTREAM_AUTHENTICATION, e.kind());
        assertEquals(502, e.status());
        assertEquals("upstream_authentication_failed", e.code());
        assertFalse(e.getMessage().contains(KEY), e.getMessage());
    }

    @Test
    void embed_429_passesRetryAfter() {
        server.respond(Reply.error(429, "Rate limit reached for text-embedding-3-small in organization org-abc on "
                + "tokens per min (TPM): Limit 1000000.", "tokens", null, "rate_limit_exceeded")
                .withHeader("Retry-After", "20"));
        GatewayException e = embedFails();
        assertEquals(ErrorKind.RATE_LIMITED, e.kind());
        assertEquals(429, e.status());
        assertEquals(20, e.retryAfterSeconds());
        assertFalse(e.getMessage().contains("org-abc"), e.getMessage());

        server.respond(Reply.error(429, "slow down", "requests", null, "rate_limit_exceeded")
                .withHeader("retry-after-ms", "1200"));
        assertEquals(2, embedFails().retryAfterSeconds());
    }

    @Test
    void embed_5xx_isUpstreamError() {
        server.respond(Reply.error(500, "The server had an error processing your request.", "server_error", null,
                null));
        GatewayException e = embedFails();
        assertEquals(ErrorKind.UPSTREAM_ERROR, e.kind());
        assertEquals(502, e.status());

        server.respond(Reply.error(503, "overloaded", "server_error", null, null).withHeader("Retry-After", "3"));
        GatewayException overloaded = embedFails();
        assertEquals(502, overloaded.status());
        assertEquals(3, overloaded.retryAfterSeconds());
    }

    @Test
    void embed_400_namesTheEmbeddingsField_neverQuotesTheInput() {
        server.respond(Reply.error(400, "This model's maximum context length is 8192 tokens, however you requested "
                + "9000 tokens (" + SECRET_INPUT + ")", "invalid_request_error", "input", "context_length_exceeded"));
        GatewayException e = embedFails();
        assertEquals(ErrorKind.UPSTREAM_INVALID_REQUEST, e.kind());
        assertEquals(400, e.status());
        assertEquals("input", e.param());
        assertEquals("context_length_exceeded", e.code());
        assertFalse(e.getMessage().contains("4321"), e.getMessage());

        server.respond(Reply.error(400, "dimensions too large", "invalid_request_error", "dimensions",
                "integer_above_max_value"));
        assertEquals("dimensions", embedFails().param());
    }

    @Test
    void embed_404_modelNotFound() {
        server.respond(Reply.error(404, "The model `text-embedding-3-small` does not exist", "invalid_request_error",
                null, "model_not_found"));
        GatewayException e = embedFails();
        assertEquals(ErrorKind.MODEL_NOT_FOUND, e.kind());
        assertEquals("model", e.param());
    }

    @Test
    void embed_timeout_givesUpAtTheCallsBound() {
        AtomicInteger served = new AtomicInteger();
        server.respond(r -> served.getAndIncrement() == 0
                ? Reply.json(200, floatAnswer(A, B)).withDelay(Duration.ofSeconds(2))
                : Reply.json(200, floatAnswer(B, A)));
        long start = System.nanoTime();
        GatewayException e = embedFails(Duration.ofMillis(300));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(ErrorKind.UPSTREAM_TIMEOUT, e.kind());
        assertEquals(504, e.status());
        assertTrue(elapsedMs >= 250 && elapsedMs < 1500, "gave up after " + elapsedMs + " ms");
        assertArrayEquals(B, provider.embed(call(request(SIMPLE), TIMEOUT)).data().get(0).toArray(),
                "the next call gets its own answer, not the late one");
    }

    @Test
    void embed_malformedOrIncompleteAnswers_areUpstreamInvalidResponse() {
        Map<String, Reply> answers = new LinkedHashMap<>();
        answers.put("truncated", Reply.json(200, "{\"object\":\"list\",\"data\":[{\"index\":0,\"embedding\":[0.1,"));
        answers.put("html", Reply.raw(200, "text/html", "<html><body>Bad gateway</body></html>"));
        answers.put("no data", Reply.json(200, "{\"object\":\"list\",\"model\":\"m\"}"));
        answers.put("chat answer", Reply.json(200, FakeOpenAiServer.completion("hello")));
        answers.put("one of two", Reply.json(200, floatAnswer(A)));
        answers.put("three of two", Reply.json(200, floatAnswer(A, B, A)));
        answers.put("index twice", Reply.json(200, floatAnswer(A, B).replace("\"index\": 1", "\"index\": 0")));
        answers.put("string values", Reply.json(200, "{\"data\":[{\"index\":0,\"embedding\":[\"0.1\"]},"
                + "{\"index\":1,\"embedding\":[0.2]}]}"));
        answers.put("broken base64", Reply.json(200, "{\"data\":[{\"index\":0,\"embedding\":\"not*base64\"},"
                + "{\"index\":1,\"embedding\":\"AAAAAA==\"}]}"));
        for (Map.Entry<String, Reply> a : answers.entrySet()) {
            server.respond(a.getValue());
            GatewayException e = embedFails();
            assertEquals(ErrorKind.UPSTREAM_INVALID_RESPONSE, e.kind(), a.getKey());
            assertEquals(502, e.status(), a.getKey());
        }
    }

    @Test
    void embed_connectionRefused_isUnavailable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        OpenAiProvider nowhere = provider(URI.create("http://127.0.0.1:" + port + "/v1"));
        GatewayException e = assertThrows(GatewayException.class,
                () -> nowhere.embed(call(request(SIMPLE), TIMEOUT)));
        assertEquals(ErrorKind.UPSTREAM_ERROR, e.kind());
        assertEquals("upstream_unavailable", e.code());
    }

    @Test
    void neitherKeyNorInput_inAnyError() {
        String echo = "Incorrect API key provided: " + KEY + " for input '" + SECRET_INPUT + "'.";
        Map<String, Reply> scenarios = new LinkedHashMap<>();
        scenarios.put("400", Reply.error(400, echo, "invalid_request_error", SECRET_INPUT, KEY));
        scenarios.put("401", Reply.error(401, echo, "invalid_request_error", null, "invalid_api_key"));
        scenarios.put("403", Reply.error(403, echo, "permission_error", null, null));
        scenarios.put("404", Reply.error(404, echo, "invalid_request_error", null, "model_not_found"));
        scenarios.put("429", Reply.error(429, echo, "requests", null, "rate_limit_exceeded")
                .withHeader("Retry-After", KEY));
        scenarios.put("500", Reply.error(500, echo, "server_error", null, null));
        scenarios.put("502 html", Reply.raw(502, "text/html", "<html>" + echo + "</html>"));
        scenarios.put("malformed", Reply.json(200, "{\"model\": \"" + KEY + "\", \"data\": ["));
        scenarios.put("error body with 200", Reply.json(200, "{\"error\": \"" + echo + "\"}"));
        scenarios.put("timeout", Reply.json(200, floatAnswer(A, B)).withDelay(Duration.ofSeconds(2)));
        List<Executable> checks = new ArrayList<>();
        for (Map.Entry<String, Reply> s : scenarios.entrySet()) {
            server.respond(s.getValue());
            GatewayException e = embedFails(Duration.ofMillis(300));
            checks.add(() -> assertClean(s.getKey(), e));
        }
        assertAll(checks);
        for (Recorded r : server.requests()) {
            assertEquals("Bearer " + KEY, r.header("authorization"), "the key was in play");
            assertTrue(r.bodyText().contains(SECRET_INPUT), "the input was in play");
        }
    }

    private static void assertClean(String scenario, GatewayException e) {
        String body = new String(ChatJson.writeError(e), StandardCharsets.UTF_8);
        for (String secret : List.of(KEY, "4321")) {
            assertFalse(body.contains(secret), () -> scenario + ": secret in the error body " + body);
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                Throwable cause = t;
                assertFalse(String.valueOf(cause.getMessage()).contains(secret),
                        () -> scenario + ": secret in cause " + cause);
            }
        }
    }
}
