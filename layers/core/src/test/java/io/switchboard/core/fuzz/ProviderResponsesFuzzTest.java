package io.switchboard.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.net.Http1Client;
import io.switchboard.core.provider.ChatProvider;
import io.switchboard.core.provider.ProviderCall;
import io.switchboard.core.provider.anthropic.AnthropicProvider;
import io.switchboard.core.provider.openai.OpenAiProvider;
import io.switchboard.core.secrets.SecretResolver;
import io.switchboard.core.stream.StreamAssembler;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatRequest;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.config.ProviderType;
import io.switchboard.shared.config.SecretRef;
import io.switchboard.shared.json.ChatRequestReader;
import io.switchboard.shared.json.ChatResponseReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzz targets of the provider answers, through the real providers over a loopback socket: OpenAI-compatible JSON
 * and SSE (the {@code SseDecoder} and the relay), Anthropic JSON and its stream translation, error bodies, each with
 * random HTTP framing and mutations of body and wire. Property: a call returns, or fails with a
 * {@link GatewayException} that is not {@code internal_error} (a bad answer is the upstream's fault: 4xx/5xx of the
 * upstream kinds, never a gateway bug), within the call's deadline. {@link ChatResponseReader} is fuzzed on its own
 * too.
 */
class ProviderResponsesFuzzTest {
    private static final String KEY = "sk-fuzz-0000";
    static final List<byte[]> OPENAI_JSON = Mutations.seeds(
            "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1741570283,\"model\":\"gpt-4o\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi \\u00e9\","
                    + "\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":9,"
                    + "\"completion_tokens\":2,\"total_tokens\":11,\"prompt_tokens_details\":{\"cached_tokens\":0}},"
                    + "\"system_fingerprint\":\"fp\"}",
            "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                    + "\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\","
                    + "\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":1}\"}}]},"
                    + "\"finish_reason\":\"tool_calls\"}]}",
            "{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\",\"param\":\"messages\","
                    + "\"code\":\"invalid_value\"}}");
    static final List<byte[]> OPENAI_SSE = Mutations.seeds(
            "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n"
                    + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}]}\n\n"
                    + ": keep-alive\n\n"
                    + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                    + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[],"
                    + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}\n\n"
                    + "data: [DONE]\n\n",
            "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{\"role\":\"assistant\",\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
                    + "\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\r\n\r\n"
                    + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"a\\\"\"}}]},"
                    + "\"finish_reason\":\"tool_calls\"}]}\r\n\r\ndata: [DONE]\r\n\r\n",
            "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n");
    static final List<byte[]> ANTHROPIC_JSON = Mutations.seeds(
            "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude\",\"content\":[{\"type\":\"text\","
                    + "\"text\":\"Hi\"},{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"f\",\"input\":{\"a\":1}}],"
                    + "\"stop_reason\":\"tool_use\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":5,"
                    + "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":2,\"output_tokens\":7}}",
            "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
    static final List<byte[]> ANTHROPIC_SSE = Mutations.seeds(
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
                    + "\"role\":\"assistant\",\"model\":\"claude\",\"content\":[],\"stop_reason\":null,\"usage\":"
                    + "{\"input_tokens\":5,\"output_tokens\":1}}}\n\n"
                    + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                    + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
                    + "event: ping\ndata: {\"type\": \"ping\"}\n\n"
                    + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n"
                    + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
                    + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,"
                    + "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"f\",\"input\":{}}}\n\n"
                    + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,"
                    + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"a\\\":\"}}\n\n"
                    + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
                    + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                    + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":3}}\n\n"
                    + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"x\"}}\n\n");
    private static final List<Integer> STATUSES = List.of(200, 200, 200, 200, 200, 200, 400, 401, 404, 408, 413, 429,
            500, 529);

    private static RawUpstream upstream;
    private static Http1Client client;
    private static OpenAiProvider openai;
    private static AnthropicProvider anthropic;

    @BeforeAll
    static void start() throws IOException {
        upstream = new RawUpstream();
        client = new Http1Client(Duration.ofSeconds(2), Duration.ofSeconds(30), 4);
        SecretResolver secrets = new SecretResolver(Map.of("FUZZ_KEY", KEY), name -> {
            throw new IllegalStateException();
        }, System::nanoTime, Duration.ofMinutes(5));
        SecretRef ref = new SecretRef(SecretRef.Source.ENV, "FUZZ_KEY");
        openai = new OpenAiProvider(ProviderConfig.openai("openai", upstream.uri().resolve("/v1"), ref,
                Duration.ofSeconds(5)), () -> client, secrets, InstantSource.system());
        anthropic = new AnthropicProvider(new ProviderConfig("claude", ProviderType.ANTHROPIC, upstream.uri(), ref,
                Duration.ofSeconds(5), 256, null, Map.of()), () -> client, secrets, InstantSource.system());
    }

    @AfterAll
    static void stop() throws IOException {
        openai.close();
        anthropic.close();
        client.close();
        upstream.close();
    }

    record Answer(boolean anthropic, boolean stream, byte[] wire) {
        @Override
        public String toString() {
            return (anthropic ? "anthropic" : "openai") + (stream ? " stream " : " json ") + Fuzz.show(wire);
        }
    }

    static Answer answer(Random r) {
        boolean anth = r.nextBoolean();
        boolean stream = r.nextBoolean();
        List<byte[]> seeds = anth ? (stream ? ANTHROPIC_SSE : ANTHROPIC_JSON) : (stream ? OPENAI_SSE : OPENAI_JSON);
        byte[] body = r.nextInt(4) == 0 ? seeds.get(r.nextInt(seeds.size())) : Mutations.mutate(r, seeds);
        int status = STATUSES.get(r.nextInt(STATUSES.size()));
        String type = stream && r.nextInt(8) != 0 ? "text/event-stream" : "application/json";
        byte[] wire = RawUpstream.frame(r, status, type, body);
        if (r.nextInt(10) == 0) {
            wire = Mutations.mutate(r, List.of(wire));
        }
        return new Answer(anth, stream, wire);
    }

    @Test
    void providerAnswers() {
        ChatRequest plain = request(false);
        ChatRequest streamed = request(true);
        Fuzz.run("provider-answers", ProviderResponsesFuzzTest::answer, a -> {
            upstream.answer(a.wire());
            ChatProvider p = a.anthropic() ? anthropic : openai;
            ProviderCall call = new ProviderCall(a.stream() ? streamed : plain, "model-x", Duration.ofSeconds(5),
                    "req-fuzz", System::nanoTime);
            try {
                if (a.stream()) {
                    StreamAssembler assembler = new StreamAssembler();
                    p.stream(call, assembler);
                    assembler.result();
                } else {
                    p.chat(call);
                }
            } catch (GatewayException e) {
                assertNotEquals(ErrorKind.INTERNAL, e.kind(), () -> "internal error: " + e.getMessage()
                        + (e.getCause() == null ? "" : " cause " + e.getCause()));
                assertTrue(!e.getMessage().contains(KEY), "the provider key in an error message");
            }
        });
    }

    @Test
    void chatResponseReader() {
        Fuzz.run("chat-response-reader", r -> Mutations.of(r, OPENAI_JSON), body -> {
            try {
                ChatResponseReader.read(body);
            } catch (GatewayException e) {
                assertNotEquals(ErrorKind.INTERNAL, e.kind(), e::getMessage);
            }
        });
    }

    private static ChatRequest request(boolean stream) {
        return ChatRequestReader.read(("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"stream\":" + stream + (stream ? ",\"stream_options\":{\"include_usage\":true}" : "") + "}")
                .getBytes(StandardCharsets.UTF_8));
    }
}
