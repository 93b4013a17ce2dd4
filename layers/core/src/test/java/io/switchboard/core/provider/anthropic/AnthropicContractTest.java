package io.switchboard.core.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.provider.ChatProvider;
import io.switchboard.core.provider.ProviderContract;
import io.switchboard.core.provider.anthropic.FakeAnthropicServer.Recorded;
import io.switchboard.core.provider.anthropic.FakeAnthropicServer.Reply;
import io.switchboard.core.secrets.SecretResolver;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.config.ProviderType;
import io.switchboard.shared.config.SecretRef;
import java.io.IOException;
import io.switchboard.core.net.Http1Client;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** {@link ProviderContract} for {@link AnthropicProvider}, its upstream a {@link FakeAnthropicServer}. */
class AnthropicContractTest extends ProviderContract {
    private FakeAnthropicServer server;
    private Http1Client client;
    private AnthropicProvider provider;

    @BeforeEach
    void start() throws IOException {
        server = FakeAnthropicServer.start();
        client = Http1Client.withDefaults();
        provider = new AnthropicProvider(new ProviderConfig("anthropic", ProviderType.ANTHROPIC, server.baseUrl(),
                new SecretRef(SecretRef.Source.ENV, "ANTHROPIC_API_KEY"), Duration.ofSeconds(2), null, null, null),
                () -> client, new SecretResolver(Map.of("ANTHROPIC_API_KEY", SECRET), name -> {
                    throw new IllegalStateException();
                }, System::nanoTime, Duration.ofMinutes(5)),
                InstantSource.fixed(Instant.parse("2026-03-01T10:00:00Z")));
    }

    @AfterEach
    void stop() {
        server.close();
        client.close();
        if (!server.failures().isEmpty()) {
            throw new AssertionError("fake server failed: " + server.failures());
        }
    }

    @Override
    protected ChatProvider provider() {
        return provider;
    }

    private static List<String> pieces(String text) {
        List<String> out = new ArrayList<>();
        for (int at = 0; at < text.length(); at += 8) {
            out.add(text.substring(at, Math.min(text.length(), at + 8)));
        }
        return out;
    }

    private static Reply text(Recorded r, String text, int prompt, int completion) {
        return r.stream()
                ? Reply.sse(FakeAnthropicServer.textStream(pieces(text), "end_turn", prompt, completion))
                : Reply.json(200, FakeAnthropicServer.message(List.of(FakeAnthropicServer.text(text)), "end_turn",
                        FakeAnthropicServer.usage(prompt, 0, 0, completion)));
    }

    @Override
    protected void answerText(String text, int promptTokens, int completionTokens) {
        server.respond(r -> text(r, text, promptTokens, completionTokens));
    }

    @Override
    protected void answerToolCall(String id, String name, String argumentsJson) {
        server.respond(r -> r.stream()
                ? Reply.sse(FakeAnthropicServer.toolStream(null, id, name, pieces(argumentsJson), 30, 12))
                : Reply.json(200, FakeAnthropicServer.message(List.of(FakeAnthropicServer.toolUse(id, name,
                        argumentsJson)), "tool_use", FakeAnthropicServer.usage(30, 0, 0, 12))));
    }

    @Override
    protected void answerFailure(Failure failure, String message, long retryAfterSeconds) {
        Reply reply = switch (failure) {
            case INVALID_REQUEST -> Reply.error(400, "invalid_request_error", message);
            case AUTHENTICATION -> Reply.error(401, "authentication_error", message);
            case PERMISSION -> Reply.error(403, "permission_error", message);
            case NOT_FOUND -> Reply.error(404, "not_found_error", message);
            case RATE_LIMITED -> Reply.error(429, "rate_limit_error", message);
            case SERVER_ERROR -> Reply.error(500, "api_error", message);
            case OVERLOADED -> Reply.error(529, "overloaded_error", message);
        };
        server.respond(retryAfterSeconds >= 0 ? reply.withHeader("retry-after", Long.toString(retryAfterSeconds))
                : reply);
    }

    @Override
    protected void answerLate(Duration delay) {
        server.respond(r -> text(r, "Late.", 5, 1).withDelay(delay));
    }

    @Override
    protected void answerWithPauses(Duration pause) {
        server.respond(r -> text(r, "One two three four five six seven.", 5, 7).withPartDelay(pause));
    }

    @Override
    protected void answerCutShort() {
        List<String> all = FakeAnthropicServer.textStream(List.of("Cut ", "short ", "after a while."), "end_turn",
                5, 5);
        server.respond(Reply.sse(all.subList(0, 5))); // message_start .. the second delta: no message_stop
    }

    @Override
    protected void answerStreamError(String message) {
        server.respond(Reply.sse(List.of(FakeAnthropicServer.messageStart(5, 0, 0),
                FakeAnthropicServer.textStart(0), FakeAnthropicServer.textDelta(0, "Partial"),
                FakeAnthropicServer.errorEvent("overloaded_error", message))));
    }

    @Override
    protected JsonNode lastUpstreamRequest() {
        return server.lastRequest().json();
    }

    @Override
    protected String forcedTool(JsonNode upstreamRequest) {
        JsonNode choice = upstreamRequest.path("tool_choice");
        return switch (choice.path("type").asText("")) {
            case "tool" -> choice.path("name").asText(null);
            case "any" -> "*";
            default -> null;
        };
    }
}
