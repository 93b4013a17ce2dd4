package io.switchboard.core.provider.bedrock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.Ticker;
import io.switchboard.core.aws.BedrockRuntimeClients;
import io.switchboard.core.provider.EmbeddingCall;
import io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime;
import io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.Recorded;
import io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.Reply;
import io.switchboard.core.provider.bedrock.testing.FakeEmbeddings;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.embeddings.Embedding;
import io.switchboard.shared.embeddings.EmbeddingRequest;
import io.switchboard.shared.embeddings.EmbeddingResponse;
import io.switchboard.shared.json.EmbeddingRequestReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bedrock embeddings ({@link BedrockProvider#embed}) against a loopback Bedrock Runtime's InvokeModel through the
 * real SDK client: the body each model family receives, batching, order, tokens, the options it refuses, and errors.
 */
class BedrockEmbeddingsTest {
    private static final String TITAN_V2 = "amazon.titan-embed-text-v2:0";
    private static final String COHERE_V3 = "cohere.embed-english-v3";
    private static final String COHERE_V4 = "us.cohere.embed-v4:0";
    private static final String SECRET_TEXT = "PROMPT-19ad: my account number is 12345";
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private static BedrockRuntimeClients clients;
    private FakeBedrockRuntime fake;
    private BedrockProvider provider;

    @BeforeAll
    static void clients() {
        clients = new BedrockRuntimeClients("us-east-1", null, Ticker.system(), null);
    }

    @AfterAll
    static void closeClients() {
        clients.close();
    }

    @BeforeEach
    void start() throws IOException {
        fake = FakeBedrockRuntime.start();
        provider = new BedrockProvider(ProviderConfig.bedrock("bedrock", "eu-west-1", fake.endpoint(), TIMEOUT),
                clients, InstantSource.fixed(Instant.parse("2026-03-01T12:00:00Z")));
        fake.respond(FakeEmbeddings::answer);
    }

    @AfterEach
    void stop() {
        fake.close();
        assertTrue(fake.failures().isEmpty(), () -> "fake failed: " + fake.failures());
    }

    private EmbeddingResponse embed(String model, String json) {
        EmbeddingRequest r = EmbeddingRequestReader.read(json.getBytes(StandardCharsets.UTF_8));
        return provider.embed(new EmbeddingCall(r, model, TIMEOUT, "req-1", Ticker.system()));
    }

    @Test
    void titanV2_oneCallPerText_inOrder_withDimensionsNormaliseAndTokens() {
        EmbeddingResponse r = embed(TITAN_V2, "{\"model\":\"titan\",\"input\":[\"alpha\",\"beta\",\"gamma\"],"
                + "\"dimensions\":256}");

        List<Recorded> calls = fake.requests();
        assertEquals(3, calls.size(), "Titan takes one text per call");
        List<String> sent = new ArrayList<>();
        for (Recorded c : calls) {
            assertEquals("invoke", c.operation());
            assertEquals(TITAN_V2, c.modelId());
            assertEquals(256, c.json().path("dimensions").asInt());
            assertTrue(c.json().path("normalize").asBoolean(false), "normalised, as OpenAI's vectors are");
            assertTrue(c.header("authorization").startsWith("AWS4-HMAC-SHA256 "), "signed");
            sent.add(c.json().path("inputText").asText());
        }
        sent.sort(Comparator.naturalOrder());
        assertEquals(List.of("alpha", "beta", "gamma"), sent);
        assertEquals(3, r.data().size());
        for (int i = 0; i < 3; i++) {
            Embedding e = r.data().get(i);
            assertEquals(i, e.index());
            assertEquals(256, e.dimensions());
            assertEquals(FakeEmbeddings.seed(List.of("alpha", "beta", "gamma").get(i)), e.get(0), 0f,
                    "embedding " + i + " is its own input's");
        }
        assertEquals(5 + 4 + 5, r.promptTokens(), "Titan's inputTextTokenCount, summed");
        assertEquals(r.promptTokens(), r.totalTokens());
        assertEquals(TITAN_V2, r.model());
    }

    @Test
    void titanV2_normaliseCanBeTurnedOff_andDimensionsLeftOutWhenNotAsked() {
        embed(TITAN_V2, "{\"model\":\"titan\",\"input\":\"one\",\"normalize\":false}");

        JsonNode body = fake.onlyRequest().json();
        assertFalse(body.path("normalize").asBoolean(true));
        assertFalse(body.has("dimensions"));
    }

    @Test
    void cohere_batchesOf96_inputTypeDefaultAndPassedOn_tokensFromTheHeader() {
        StringBuilder input = new StringBuilder("[");
        for (int i = 0; i < 200; i++) {
            input.append(i == 0 ? "" : ",").append("\"text ").append(i).append('"');
        }
        EmbeddingResponse r = embed(COHERE_V3, "{\"model\":\"cohere\",\"input\":" + input + "],"
                + "\"input_type\":\"search_query\",\"truncate\":\"END\"}");

        List<Recorded> calls = fake.requests();
        List<Integer> sizes = calls.stream().map(c -> c.json().path("texts").size()).sorted().toList();
        assertEquals(List.of(8, 96, 96), sizes, "at most 96 texts per call");
        for (Recorded c : calls) {
            assertEquals("search_query", c.json().path("input_type").asText());
            assertEquals("END", c.json().path("truncate").asText());
        }
        assertEquals(200, r.data().size());
        for (int i = 0; i < 200; i++) {
            assertEquals(FakeEmbeddings.seed("text " + i), r.data().get(i).get(0), 0f, "embedding " + i);
        }
        assertEquals(200 * 2, r.promptTokens(), "X-Amzn-Bedrock-Input-Token-Count, summed");
    }

    @Test
    void cohere_inputTypeDefaultsToSearchDocument() {
        embed(COHERE_V3, "{\"model\":\"cohere\",\"input\":\"a\"}");

        JsonNode body = fake.onlyRequest().json();
        assertEquals("search_document", body.path("input_type").asText());
        assertFalse(body.has("truncate"));
    }

    @Test
    void cohereV4_dimensionsAsOutputDimension_floatsByType() {
        EmbeddingResponse r = embed(COHERE_V4, "{\"model\":\"cohere\",\"input\":[\"a\",\"b\"],\"dimensions\":512}");

        JsonNode body = fake.onlyRequest().json();
        assertEquals(512, body.path("output_dimension").asInt());
        assertEquals("float", body.path("embedding_types").path(0).asText());
        assertEquals(512, r.data().get(1).dimensions());
    }

    @ParameterizedTest
    @CsvSource({
            "amazon.titan-embed-text-v2:0, 300, dimensions",
            "amazon.titan-embed-text-v1,   512, dimensions",
            "cohere.embed-english-v3,      256, dimensions",
            "cohere.embed-v4:0,            100, dimensions"})
    void dimensionsTheModelDoesNotOffer_400NamingTheField_noCall(String model, int dims, String param) {
        GatewayException e = assertThrows(GatewayException.class,
                () -> embed(model, "{\"model\":\"m\",\"input\":\"a\",\"dimensions\":" + dims + "}"));

        assertEquals(ErrorKind.INVALID_REQUEST, e.kind());
        assertEquals(param, e.param());
        assertTrue(fake.requests().isEmpty());
    }

    @Test
    void tokenIds_400NamingInput_andAChatModel_400NamingModel() {
        GatewayException tokens = assertThrows(GatewayException.class,
                () -> embed(TITAN_V2, "{\"model\":\"m\",\"input\":[1,2,3]}"));
        assertEquals("input", tokens.param());
        GatewayException chat = assertThrows(GatewayException.class,
                () -> embed("amazon.nova-lite-v1:0", "{\"model\":\"m\",\"input\":\"a\"}"));
        assertEquals(400, chat.status());
        assertEquals("model", chat.param());
        assertEquals("provider_not_supported", chat.code());
        assertTrue(fake.requests().isEmpty());
    }

    @Test
    void throttled_429WithRetryAfter_noUpstreamMessageOrText() {
        fake.respond(Reply.error(429, "ThrottlingException", "Rate exceeded for " + SECRET_TEXT)
                .withHeader("Retry-After", "3"));

        GatewayException e = assertThrows(GatewayException.class,
                () -> embed(TITAN_V2, "{\"model\":\"m\",\"input\":\"" + SECRET_TEXT + "\"}"));

        assertEquals(429, e.status());
        assertEquals(3, e.retryAfterSeconds());
        assertFalse(e.getMessage().contains("PROMPT-19ad"), e.getMessage());
        assertFalse(String.valueOf(e.getCause()).contains("PROMPT-19ad"), String.valueOf(e.getCause()));
    }

    @Test
    void anAnswerWithTooFewVectors_isAnInvalidUpstreamResponse() {
        fake.respond(Reply.json(200, "{\"embeddings\":[[0.1,0.2]],\"id\":\"x\",\"texts\":[\"a\",\"b\"]}"));

        GatewayException e = assertThrows(GatewayException.class,
                () -> embed(COHERE_V3, "{\"model\":\"m\",\"input\":[\"a\",\"b\"]}"));

        assertEquals(ErrorKind.UPSTREAM_INVALID_RESPONSE, e.kind());
    }

    @Test
    void aHangingModel_timesOut() {
        provider = new BedrockProvider(ProviderConfig.bedrock("bedrock", "eu-west-1", fake.endpoint(),
                Duration.ofMillis(500)), clients, InstantSource.system());
        fake.respond(Reply.hang());
        EmbeddingRequest r = EmbeddingRequestReader.read("{\"model\":\"m\",\"input\":\"a\"}"
                .getBytes(StandardCharsets.UTF_8));

        GatewayException e = assertThrows(GatewayException.class,
                () -> provider.embed(new EmbeddingCall(r, TITAN_V2, Duration.ofMillis(500), "req-1", Ticker.system())));

        assertEquals(ErrorKind.UPSTREAM_TIMEOUT, e.kind());
    }
}
