package io.switchboard.bench.jmh;

import io.switchboard.bench.harness.MockUpstreamBodies;
import io.switchboard.shared.chat.ChatRequest;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.json.ChatRequestReader;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockDelta;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockDeltaEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseOutput;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamOutput;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.StopReason;
import software.amazon.awssdk.services.bedrockruntime.model.TokenUsage;
import software.amazon.awssdk.services.bedrockruntime.model.ToolUseBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolUseBlockDelta;

/**
 * The bedrock provider's translation cost, without the network: an OpenAI request into a ConverseStream request
 * (small and large prompts, with tools), a Converse answer into a {@code chat.completion}, and one stream event
 * (a text delta, a tool-input fragment) into a {@code chat.completion.chunk}. The mappers are package-private; they
 * are reached through method handles looked up once.
 *
 * <pre>java -cp 'bench/target/switchboard-bench.jar:bench/target/lib/*' org.openjdk.jmh.Main BedrockTranslationBench</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BedrockTranslationBench {
    private static final String PKG = "io.switchboard.core.provider.bedrock.";
    private static final MethodHandle MAP_REQUEST;
    private static final MethodHandle TO_STREAM_REQUEST;
    private static final MethodHandle MAP_RESPONSE;
    private static final MethodHandle NEW_TRANSLATOR;
    private static final MethodHandle ACCEPT;

    static {
        try {
            MethodHandles.Lookup me = MethodHandles.lookup();
            Class<?> requests = Class.forName(PKG + "RequestMapper");
            Class<?> input = Class.forName(PKG + "ConverseInput");
            Class<?> responses = Class.forName(PKG + "ResponseMapper");
            Class<?> translator = Class.forName(PKG + "StreamTranslator");
            MAP_REQUEST = MethodHandles.privateLookupIn(requests, me).findStatic(requests, "map",
                    MethodType.methodType(input, ChatRequest.class, String.class));
            TO_STREAM_REQUEST = MethodHandles.privateLookupIn(input, me).findVirtual(input, "converseStream",
                    MethodType.methodType(Class.forName("software.amazon.awssdk.services.bedrockruntime.model."
                            + "ConverseStreamRequest"), String.class));
            MAP_RESPONSE = MethodHandles.privateLookupIn(responses, me).findStatic(responses, "map",
                    MethodType.methodType(ChatResponse.class, ConverseResponse.class, String.class, long.class,
                            String.class, String.class));
            MethodHandles.Lookup t = MethodHandles.privateLookupIn(translator, me);
            NEW_TRANSLATOR = t.findConstructor(translator, MethodType.methodType(void.class, String.class, long.class,
                    String.class, boolean.class, String.class));
            ACCEPT = t.findVirtual(translator, "accept", MethodType.methodType(byte[].class,
                    ConverseStreamOutput.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Param({"200", "10000"})
    public int promptBytes;

    private ChatRequest request;
    private ChatRequest toolRequest;
    private ConverseResponse answer;
    private Object translator;
    private ConverseStreamOutput textDelta;
    private ConverseStreamOutput toolDelta;

    @Setup
    public void setUp() throws Throwable {
        request = read(MockUpstreamBodies.request(promptBytes));
        toolRequest = read("""
                {"model": "m", "messages": [{"role": "system", "content": "Use tools."},
                  {"role": "user", "content": "Weather in Paris and Rome?"},
                  {"role": "assistant", "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "weather",
                    "arguments": "{\\"city\\": \\"Paris\\"}"}}]},
                  {"role": "tool", "tool_call_id": "t1", "content": "18C"}],
                 "tools": [{"type": "function", "function": {"name": "weather", "description": "Weather now",
                   "parameters": {"type": "object", "properties": {"city": {"type": "string"},
                     "unit": {"type": "string", "enum": ["c", "f"]}}, "required": ["city"]}}}],
                 "tool_choice": "auto", "max_tokens": 256, "temperature": 0.2}""");
        String text = MockUpstreamBodies.completion(256).replaceAll("(?s).*\"content\":\"([^\"]*)\".*", "$1");
        answer = ConverseResponse.builder()
                .output(ConverseOutput.fromMessage(Message.builder().role(ConversationRole.ASSISTANT).content(
                        ContentBlock.fromText(text), ContentBlock.fromToolUse(ToolUseBlock.builder().toolUseId("t2")
                                .name("weather").input(Document.mapBuilder().putString("city", "Rome").build())
                                .build())).build()))
                .stopReason(StopReason.TOOL_USE)
                .usage(TokenUsage.builder().inputTokens(120).outputTokens(64).totalTokens(184).build())
                .build();
        translator = NEW_TRANSLATOR.invoke("chatcmpl-bench", 1741570283L, "anthropic.claude-3-5-haiku", true, "br");
        textDelta = ContentBlockDeltaEvent.builder().contentBlockIndex(0)
                .delta(ContentBlockDelta.fromText(" a few words")).build();
        toolDelta = ContentBlockDeltaEvent.builder().contentBlockIndex(1)
                .delta(ContentBlockDelta.fromToolUse(ToolUseBlockDelta.builder().input("{\"city\": \"Ro").build()))
                .build();
    }

    private static ChatRequest read(String json) {
        return ChatRequestReader.read(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Per request: the OpenAI request into a ConverseStream request. */
    @Benchmark
    public Object requestToConverseStream() throws Throwable {
        return TO_STREAM_REQUEST.invoke(MAP_REQUEST.invoke(request, "br"), "anthropic.claude-3-5-haiku");
    }

    /** Per request with tools, tool calls and a tool result. */
    @Benchmark
    public Object toolRequestToConverseStream() throws Throwable {
        return TO_STREAM_REQUEST.invoke(MAP_REQUEST.invoke(toolRequest, "br"), "anthropic.claude-3-5-haiku");
    }

    /** Per whole answer: a Converse answer (text and a tool call) into a {@code chat.completion}. */
    @Benchmark
    public Object converseToCompletion() throws Throwable {
        return MAP_RESPONSE.invoke(answer, "chatcmpl-bench", 1741570283L, "anthropic.claude-3-5-haiku", "br");
    }

    /** Per stream event: a text delta into a chunk. */
    @Benchmark
    public byte[] textEventToChunk() throws Throwable {
        return (byte[]) ACCEPT.invoke(translator, textDelta);
    }

    /** Per stream event: a tool-input fragment into a chunk. */
    @Benchmark
    public byte[] toolInputEventToChunk() throws Throwable {
        return (byte[]) ACCEPT.invoke(translator, toolDelta);
    }
}
