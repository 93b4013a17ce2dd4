package io.switchboard.core.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.core.provider.ChatProvider;
import io.switchboard.core.provider.ProviderContract;
import io.switchboard.core.provider.openai.FakeOpenAiServer.Recorded;
import io.switchboard.core.provider.openai.FakeOpenAiServer.Reply;
import io.switchboard.core.secrets.SecretResolver;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.config.SecretRef;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import io.switchboard.core.net.Http1Client;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** {@link ProviderContract} for {@link OpenAiProvider}, its upstream a {@link FakeOpenAiServer}. */
class OpenAiContractTest extends ProviderContract {
    private FakeOpenAiServer server;
    private Http1Client client;
    private OpenAiProvider provider;

    @BeforeEach
    void start() throws IOException {
        server = FakeOpenAiServer.start();
        client = Http1Client.withDefaults();
        provider = new OpenAiProvider(ProviderConfig.openai("openai", server.baseUrl(),
                new SecretRef(SecretRef.Source.ENV, "OPENAI_API_KEY"), Duration.ofSeconds(2)), () -> client,
                new SecretResolver(Map.of("OPENAI_API_KEY", SECRET), name -> {
                    throw new IllegalStateException();
                }, System::nanoTime, Duration.ofMinutes(5)), InstantSource.system());
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

    private static boolean stream(Recorded r) {
        return r.json().path("stream").asBoolean(false);
    }

    private static boolean includeUsage(Recorded r) {
        return r.json().path("stream_options").path("include_usage").asBoolean(false);
    }

    private static List<String> pieces(String text) {
        List<String> out = new ArrayList<>();
        for (int at = 0; at < text.length(); at += 8) {
            out.add(text.substring(at, Math.min(text.length(), at + 8)));
        }
        return out;
    }

    private static List<String> textChunks(String text, int prompt, int completion, boolean usage) {
        List<String> chunks = new ArrayList<>();
        chunks.add(FakeOpenAiServer.chunk("assistant", "", null));
        for (String p : pieces(text)) {
            chunks.add(FakeOpenAiServer.chunk(null, p, null));
        }
        chunks.add(FakeOpenAiServer.chunk(null, null, "stop"));
        if (usage) {
            chunks.add(FakeOpenAiServer.usageChunk(prompt, completion));
        }
        return chunks;
    }

    private static String completion(String text, int prompt, int completion) {
        ObjectNode c = (ObjectNode) tree(FakeOpenAiServer.completion(text));
        ((ObjectNode) c.get("usage")).put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
        return c.toString();
    }

    private static JsonNode tree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void answerText(String text, int promptTokens, int completionTokens) {
        server.respond(r -> stream(r)
                ? Reply.sseData(textChunks(text, promptTokens, completionTokens, includeUsage(r)))
                : Reply.json(200, completion(text, promptTokens, completionTokens)));
    }

    @Override
    protected void answerToolCall(String id, String name, String argumentsJson) {
        String call = "{\"id\":\"" + id + "\",\"type\":\"function\",\"function\":{\"name\":\"" + name
                + "\",\"arguments\":" + Json.MAPPER.getNodeFactory().textNode(argumentsJson) + "}}";
        ObjectNode whole = (ObjectNode) tree(completion("", 30, 12));
        ObjectNode choice = (ObjectNode) whole.get("choices").get(0);
        ((ObjectNode) choice.get("message")).putNull("content").set("tool_calls", tree("[" + call + "]"));
        choice.put("finish_reason", "tool_calls");
        String prefix = "{\"id\":\"" + FakeOpenAiServer.COMPLETION_ID + "\",\"object\":\"chat.completion.chunk\","
                + "\"created\":1741570283,\"model\":\"" + FakeOpenAiServer.MODEL + "\",\"choices\":[{\"index\":0,"
                + "\"delta\":{\"tool_calls\":[";
        String suffix = "]},\"logprobs\":null,\"finish_reason\":null}]}";
        List<String> chunks = new ArrayList<>();
        chunks.add(FakeOpenAiServer.chunk("assistant", null, null));
        chunks.add(prefix + "{\"index\":0,\"id\":\"" + id + "\",\"type\":\"function\",\"function\":{\"name\":\""
                + name + "\",\"arguments\":\"\"}}" + suffix);
        for (String p : pieces(argumentsJson)) {
            chunks.add(prefix + "{\"index\":0,\"function\":{\"arguments\":"
                    + Json.MAPPER.getNodeFactory().textNode(p) + "}}" + suffix);
        }
        chunks.add(FakeOpenAiServer.chunk(null, null, "tool_calls"));
        server.respond(r -> {
            if (!stream(r)) {
                return Reply.json(200, whole.toString());
            }
            List<String> all = new ArrayList<>(chunks);
            if (includeUsage(r)) {
                all.add(FakeOpenAiServer.usageChunk(30, 12));
            }
            return Reply.sseData(all);
        });
    }

    @Override
    protected void answerFailure(Failure failure, String message, long retryAfterSeconds) {
        Reply reply = switch (failure) {
            case INVALID_REQUEST -> Reply.error(400, message, "invalid_request_error", "messages", "invalid_value");
            case AUTHENTICATION -> Reply.error(401, message, "invalid_request_error", null, "invalid_api_key");
            case PERMISSION -> Reply.error(403, message, "permission_error", null, null);
            case NOT_FOUND -> Reply.error(404, message, "invalid_request_error", "model", "model_not_found");
            case RATE_LIMITED -> Reply.error(429, message, "requests", null, "rate_limit_exceeded");
            case SERVER_ERROR -> Reply.error(500, message, "server_error", null, null);
            case OVERLOADED -> Reply.error(503, message, "server_error", null, null);
        };
        server.respond(retryAfterSeconds >= 0 ? reply.withHeader("Retry-After", Long.toString(retryAfterSeconds))
                : reply);
    }

    @Override
    protected void answerLate(Duration delay) {
        server.respond(r -> (stream(r) ? Reply.sseData(textChunks("Late.", 5, 1, includeUsage(r)))
                : Reply.json(200, completion("Late.", 5, 1))).withDelay(delay));
    }

    @Override
    protected void answerWithPauses(Duration pause) {
        server.respond(r -> Reply.sseData(textChunks("One two three four five six seven.", 5, 7, includeUsage(r)))
                .withPartDelay(pause));
    }

    @Override
    protected void answerCutShort() {
        List<String> events = new ArrayList<>();
        for (String c : textChunks("Cut short after a while.", 5, 5, false).subList(0, 3)) {
            events.add("data: " + c + "\n\n");
        }
        server.respond(Reply.sse(events));
    }

    @Override
    protected void answerStreamError(String message) {
        server.respond(Reply.sseData(List.of(FakeOpenAiServer.chunk("assistant", "", null),
                FakeOpenAiServer.chunk(null, "Partial", null),
                FakeOpenAiServer.errorJson(message, "server_error", null, null))));
    }

    @Override
    protected JsonNode lastUpstreamRequest() {
        List<Recorded> all = server.requests();
        return all.get(all.size() - 1).json();
    }

    @Override
    protected String forcedTool(JsonNode upstreamRequest) {
        JsonNode choice = upstreamRequest.path("tool_choice");
        if (choice.isObject()) {
            return choice.path("function").path("name").asText(null);
        }
        return "required".equals(choice.asText()) ? "*" : null;
    }
}
