package io.switchboard.core.provider.bedrock;

import io.switchboard.shared.embeddings.EmbeddingInput;
import io.switchboard.shared.embeddings.EmbeddingRequest;
import io.switchboard.shared.json.ChatRequestReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockDelta;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockDeltaEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockStart;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockStartEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseOutput;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamMetadataEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamOutput;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelRequest;
import software.amazon.awssdk.services.bedrockruntime.model.MessageStartEvent;
import software.amazon.awssdk.services.bedrockruntime.model.MessageStopEvent;
import software.amazon.awssdk.services.bedrockruntime.model.StopReason;
import software.amazon.awssdk.services.bedrockruntime.model.TokenUsage;
import software.amazon.awssdk.services.bedrockruntime.model.ToolUseBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolUseBlockDelta;
import software.amazon.awssdk.services.bedrockruntime.model.ToolUseBlockStart;

/** One request, answer and stream through the translation, offline: what priming runs before a snapshot. */
final class PrimingSample {
    private static final byte[] REQUEST = ("{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"s\"},"
            + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"},{\"type\":\"image_url\","
            + "\"image_url\":{\"url\":\"data:image/png;base64,AQID\"}}]},{\"role\":\"assistant\",\"tool_calls\":"
            + "[{\"id\":\"t\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":1}\"}}]},"
            + "{\"role\":\"tool\",\"tool_call_id\":\"t\",\"content\":\"r\"}],\"max_tokens\":8,\"temperature\":0,"
            + "\"stop\":[\"x\"],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":"
            + "{\"type\":\"object\"}}}],\"tool_choice\":\"auto\"}").getBytes(StandardCharsets.UTF_8);

    private PrimingSample() {
    }

    /** An embeddings body of each family and an answer read back, with the InvokeModel request's builder. */
    private static void embeddings() {
        EmbeddingRequest r = EmbeddingRequest.of("m", EmbeddingInput.text("hi"));
        for (EmbeddingFamily f : EmbeddingFamily.values()) {
            f.body(List.of("hi"), r);
        }
        try {
            EmbeddingFamily.read("{\"embedding\":[0.5],\"inputTextTokenCount\":1}".getBytes(StandardCharsets.UTF_8), 1);
            EmbeddingFamily.read("{\"embeddings\":{\"float\":[[0.5]]}}".getBytes(StandardCharsets.UTF_8), 1);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        InvokeModelRequest.builder().modelId("prime").contentType("application/json")
                .body(SdkBytes.fromUtf8String("{}")).overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(1)))
                .build();
    }

    static void run(String provider) {
        embeddings();
        ConverseInput in = RequestMapper.map(ChatRequestReader.read(REQUEST), provider);
        in.converse("prime", Duration.ofSeconds(1));
        in.converseStream("prime");
        TokenUsage usage = TokenUsage.builder().inputTokens(1).outputTokens(1).totalTokens(2).build();
        ResponseMapper.map(ConverseResponse.builder().output(ConverseOutput.fromMessage(Message.builder()
                .role(ConversationRole.ASSISTANT).content(ContentBlock.fromText("ok"), ContentBlock.fromToolUse(
                        ToolUseBlock.builder().toolUseId("t").name("f").input(Document.fromMap(java.util.Map.of()))
                                .build())).build())).stopReason(StopReason.END_TURN).usage(usage).build(),
                "chatcmpl-prime", 0, "prime", provider);
        StreamTranslator t = new StreamTranslator("chatcmpl-prime", 0, "prime", true, provider);
        for (ConverseStreamOutput e : List.<ConverseStreamOutput>of(MessageStartEvent.builder().role("assistant").build(),
                ContentBlockDeltaEvent.builder().contentBlockIndex(0).delta(ContentBlockDelta.fromText("o")).build(),
                ContentBlockStartEvent.builder().contentBlockIndex(1).start(ContentBlockStart.fromToolUse(
                        ToolUseBlockStart.builder().toolUseId("t").name("f").build())).build(),
                ContentBlockDeltaEvent.builder().contentBlockIndex(1).delta(ContentBlockDelta.fromToolUse(
                        ToolUseBlockDelta.builder().input("{}").build())).build(),
                MessageStopEvent.builder().stopReason(StopReason.TOOL_USE).build(),
                ConverseStreamMetadataEvent.builder().usage(usage).build())) {
            t.accept(e);
        }
    }
}
