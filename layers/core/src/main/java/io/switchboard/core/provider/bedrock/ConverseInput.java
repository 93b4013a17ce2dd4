package io.switchboard.core.provider.bedrock;

import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InferenceConfiguration;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.SystemContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolConfiguration;

/**
 * What Converse and ConverseStream share: one OpenAI request in Bedrock's terms.
 *
 * @param messages the conversation, alternating user and assistant
 * @param system the system prompt's blocks (empty: none)
 * @param inference token cap, sampling and stop sequences
 * @param tools the tools and the choice among them, or null
 */
record ConverseInput(List<Message> messages, List<SystemContentBlock> system, InferenceConfiguration inference,
        ToolConfiguration tools) {
    ConverseInput {
        messages = List.copyOf(messages);
        system = List.copyOf(system);
    }

    /** A Converse request for {@code modelId} (a model id, inference profile id or ARN), bounded by {@code timeout}. */
    ConverseRequest converse(String modelId, Duration timeout) {
        ConverseRequest.Builder b = ConverseRequest.builder().modelId(modelId).messages(messages)
                .inferenceConfig(inference).overrideConfiguration(o -> o.apiCallTimeout(timeout));
        if (!system.isEmpty()) {
            b.system(system);
        }
        if (tools != null) {
            b.toolConfig(tools);
        }
        return b.build();
    }

    /** A ConverseStream request for {@code modelId}. */
    ConverseStreamRequest converseStream(String modelId) {
        ConverseStreamRequest.Builder b = ConverseStreamRequest.builder().modelId(modelId).messages(messages)
                .inferenceConfig(inference);
        if (!system.isEmpty()) {
            b.system(system);
        }
        if (tools != null) {
            b.toolConfig(tools);
        }
        return b.build();
    }
}
