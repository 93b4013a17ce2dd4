package io.switchboard.core.provider.bedrock;

import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.blockStop;
import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.exception;
import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.messageStart;
import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.messageStop;
import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.metadata;
import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.quote;
import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.text;
import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.toolInput;
import static io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.toolStart;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.Ticker;
import io.switchboard.core.aws.BedrockRuntimeClients;
import io.switchboard.core.provider.ChatProvider;
import io.switchboard.core.provider.ProviderContract;
import io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime;
import io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.Frame;
import io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.Recorded;
import io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime.Reply;
import io.switchboard.core.stream.StreamSink;
import io.switchboard.shared.config.ProviderConfig;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * {@link ProviderContract} for {@link BedrockProvider} through the real SDK clients (Converse over the URL-connection
 * client, ConverseStream over Netty), its upstream a {@link FakeBedrockRuntime}. Failures are Bedrock's own: an HTTP
 * status with {@code x-amzn-ErrorType} before any event, exception frames inside a ConverseStream.
 */
class BedrockContractTest extends ProviderContract {
    private static BedrockRuntimeClients clients;
    private FakeBedrockRuntime fake;
    private BedrockProvider provider;

    @BeforeAll
    static void clients() throws IOException {
        clients = new BedrockRuntimeClients("us-east-1", null, Ticker.system(), null);
        // Load the SDK's and Netty's classes once, so that no scenario's time bound pays for them.
        try (FakeBedrockRuntime warm = FakeBedrockRuntime.start()) {
            BedrockProvider p = provider(warm);
            p.chat(call("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                    Duration.ofSeconds(30)));
            warm.respond(Reply.stream(FakeBedrockRuntime.textStream("end_turn", "warm", "up")));
            p.stream(call("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}",
                    Duration.ofSeconds(30)), StreamSink.chunks(b -> { }));
        }
    }

    @AfterAll
    static void closeClients() {
        clients.close();
    }

    private static BedrockProvider provider(FakeBedrockRuntime upstream) {
        return new BedrockProvider(ProviderConfig.bedrock("bedrock", "eu-west-1", upstream.endpoint(),
                Duration.ofSeconds(2)), clients, InstantSource.fixed(Instant.parse("2026-03-01T10:00:00Z")));
    }

    @BeforeEach
    void start() throws IOException {
        fake = FakeBedrockRuntime.start();
        provider = provider(fake);
    }

    @AfterEach
    void stop() {
        fake.close();
        if (!fake.failures().isEmpty()) {
            throw new AssertionError("fake Bedrock Runtime failed: " + fake.failures());
        }
    }

    @Override
    protected ChatProvider provider() {
        return provider;
    }

    private static boolean stream(Recorded r) {
        return "converse-stream".equals(r.operation());
    }

    private static List<String> pieces(String text) {
        List<String> out = new ArrayList<>();
        for (int at = 0; at < text.length(); at += 8) {
            out.add(text.substring(at, Math.min(text.length(), at + 8)));
        }
        return out;
    }

    private static List<Frame> textFrames(String text, int prompt, int completion) {
        List<Frame> f = new ArrayList<>();
        f.add(messageStart());
        for (String p : pieces(text)) {
            f.add(text(0, p));
        }
        f.add(blockStop(0));
        f.add(messageStop("end_turn"));
        f.add(metadata(prompt, completion, -1, -1));
        return f;
    }

    private static Reply answer(Recorded r, String text, int prompt, int completion) {
        return stream(r) ? Reply.stream(textFrames(text, prompt, completion))
                : Reply.json(200, FakeBedrockRuntime.converseText(text, "end_turn", prompt, completion));
    }

    @Override
    protected void answerText(String text, int promptTokens, int completionTokens) {
        fake.respond(r -> answer(r, text, promptTokens, completionTokens));
    }

    @Override
    protected void answerToolCall(String id, String name, String argumentsJson) {
        fake.respond(r -> {
            if (!stream(r)) {
                return Reply.json(200, "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"toolUse\":"
                        + "{\"toolUseId\":" + quote(id) + ",\"name\":" + quote(name) + ",\"input\":" + argumentsJson
                        + "}}]}},\"stopReason\":\"tool_use\",\"usage\":" + FakeBedrockRuntime.usage(30, 12, -1, -1)
                        + ",\"metrics\":{\"latencyMs\":300}}");
            }
            List<Frame> f = new ArrayList<>();
            f.add(messageStart());
            f.add(toolStart(0, id, name));
            for (String p : pieces(argumentsJson)) {
                f.add(toolInput(0, p));
            }
            f.add(blockStop(0));
            f.add(messageStop("tool_use"));
            f.add(metadata(30, 12, -1, -1));
            return Reply.stream(f);
        });
    }

    @Override
    protected void answerFailure(Failure failure, String message, long retryAfterSeconds) {
        Reply reply = switch (failure) {
            case INVALID_REQUEST -> Reply.error(400, "ValidationException", message);
            case AUTHENTICATION -> Reply.error(403, "UnrecognizedClientException", message);
            case PERMISSION -> Reply.error(403, "AccessDeniedException", message);
            case NOT_FOUND -> Reply.error(404, "ResourceNotFoundException", message);
            case RATE_LIMITED -> Reply.error(429, "ThrottlingException", message);
            case SERVER_ERROR -> Reply.error(500, "InternalServerException", message);
            case OVERLOADED -> Reply.error(503, "ServiceUnavailableException", message);
        };
        fake.respond(retryAfterSeconds >= 0 ? reply.withHeader("Retry-After", Long.toString(retryAfterSeconds))
                : reply);
    }

    @Override
    protected void answerLate(Duration delay) {
        fake.respond(r -> answer(r, "Late.", 5, 1).withDelay(delay));
    }

    @Override
    protected void answerWithPauses(Duration pause) {
        List<Frame> frames = new ArrayList<>();
        for (Frame f : textFrames("One two three four five six seven.", 5, 7)) {
            frames.add(frames.isEmpty() ? f : f.after(pause));
        }
        fake.respond(r -> stream(r) ? Reply.stream(frames)
                : Reply.json(200, FakeBedrockRuntime.converseText("One two three four five six seven.", "end_turn",
                        5, 7)));
    }

    @Override
    protected void answerCutShort() {
        // messageStart and two deltas, then the connection drops without the end of the chunked body
        fake.respond(Reply.stream(textFrames("Cut short after a while.", 5, 5).subList(0, 3)).cut());
    }

    @Override
    protected void answerStreamError(String message) {
        fake.respond(Reply.stream(List.of(messageStart(), text(0, "Partial"),
                exception("modelStreamErrorException", message))));
    }

    @Override
    protected JsonNode lastUpstreamRequest() {
        List<Recorded> all = fake.requests();
        if (all.isEmpty()) {
            throw new AssertionError("no request reached the fake");
        }
        return all.get(all.size() - 1).json();
    }

    @Override
    protected String forcedTool(JsonNode upstreamRequest) {
        JsonNode choice = upstreamRequest.path("toolConfig").path("toolChoice");
        if (choice.has("tool")) {
            return choice.path("tool").path("name").asText(null);
        }
        return choice.has("any") ? "*" : null;
    }
}
