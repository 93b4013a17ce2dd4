package io.switchboard.core.provider.bedrock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.Ticker;
import io.switchboard.core.aws.BedrockRuntimeClients;
import io.switchboard.core.provider.EmbeddingCall;
import io.switchboard.core.provider.LiveChecks;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.embeddings.Embedding;
import io.switchboard.shared.embeddings.EmbeddingRequest;
import io.switchboard.shared.embeddings.EmbeddingResponse;
import io.switchboard.shared.json.EmbeddingRequestReader;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;

/**
 * Opt-in: {@link BedrockProvider} against the real Amazon Bedrock Runtime through the real SDK clients: a plain
 * answer (Converse), a stream with usage (ConverseStream), a forced tool call ({@link LiveChecks}), and embeddings
 * (InvokeModel). Runs only when {@code SWITCHBOARD_IT=1} and {@code BEDROCK_IT_MODEL} (a model or inference profile
 * id the account may invoke) are set; the embedding check also needs {@code BEDROCK_IT_EMBEDDING_MODEL}. Region:
 * {@code BEDROCK_IT_REGION} (default us-east-1). Credentials: {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}
 * (+ {@code AWS_SESSION_TOKEN}) or a profile ({@code AWS_PROFILE}). The explicit {@code SWITCHBOARD_IT} switch is
 * what keeps it off in CI, where surefire sets static test credentials; those are refused here, so the run needs
 * the {@code it} Maven profile, which passes the caller's own environment through. See README §"Tests against the
 * real APIs".
 */
@EnabledIfEnvironmentVariable(named = "SWITCHBOARD_IT", matches = "1")
@EnabledIfEnvironmentVariable(named = "BEDROCK_IT_MODEL", matches = ".+")
class BedrockIT {
    private static BedrockRuntimeClients clients;
    private static BedrockProvider provider;
    private static String model;

    @BeforeAll
    static void provider() {
        assertNotEquals("test", System.getenv("AWS_ACCESS_KEY_ID"),
                "surefire's static test credentials: run with the Maven profile -Pit (see README)");
        model = System.getenv("BEDROCK_IT_MODEL");
        String r = System.getenv("BEDROCK_IT_REGION");
        String region = r == null || r.isBlank() ? "us-east-1" : r;
        clients = new BedrockRuntimeClients(region, null, AwsCredentialsProviderChain.of(
                EnvironmentVariableCredentialsProvider.create(), ProfileCredentialsProvider.create()),
                Ticker.system(), null);
        provider = new BedrockProvider(ProviderConfig.bedrock("bedrock", region, null, LiveChecks.TIMEOUT), clients,
                InstantSource.system());
    }

    @AfterAll
    static void close() {
        if (clients != null) {
            clients.close();
        }
    }

    @Test
    void plainAnswer() {
        LiveChecks.plain(provider, model);
    }

    @Test
    void streamedAnswer() {
        LiveChecks.stream(provider, model);
    }

    @Test
    void toolCall() {
        LiveChecks.toolCall(provider, model);
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "BEDROCK_IT_EMBEDDING_MODEL", matches = ".+")
    void embeddings_oneVectorPerText_inOrder_withTokens() {
        String embeddingModel = System.getenv("BEDROCK_IT_EMBEDDING_MODEL");
        EmbeddingRequest req = EmbeddingRequestReader.read(("{\"model\":\"it\",\"input\":[\"The cat sat on the mat.\","
                + "\"Quarterly revenue grew by eight percent.\"]}").getBytes(StandardCharsets.UTF_8));
        EmbeddingResponse r = provider.embed(new EmbeddingCall(req, embeddingModel, LiveChecks.TIMEOUT, "it-1",
                Ticker.system()));
        assertEquals(2, r.data().size(), r::toString);
        Embedding a = r.data().get(0);
        Embedding b = r.data().get(1);
        assertEquals(0, a.index());
        assertEquals(1, b.index());
        assertTrue(a.dimensions() > 0, r::toString);
        assertEquals(a.dimensions(), b.dimensions(), r::toString);
        assertNotEquals(a, b, "two different texts, two different vectors");
        assertTrue(r.promptTokens() > 0, r::toString);
    }
}
