package io.switchboard.core.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatChoice;
import io.switchboard.shared.chat.ChatMessage;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.chat.Role;
import io.switchboard.shared.chat.Usage;
import io.switchboard.shared.json.Json;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.TokenUsage;

/**
 * Converse's answer in OpenAI's terms: text blocks joined into {@code content}, tool-use blocks as
 * {@code tool_calls}, the stop reason as {@code finish_reason}, token usage with cache reads as
 * {@code prompt_tokens_details.cached_tokens}. Reasoning blocks are left out (OpenAI's format has no place for them).
 */
final class ResponseMapper {
    private ResponseMapper() {
    }

    /** The completion {@code id} for {@code r} (from {@code provider}) created at {@code created}. */
    static ChatResponse map(ConverseResponse r, String id, long created, String model, String provider) {
        if (r.output() == null || r.output().message() == null) {
            throw GatewayException.of(ErrorKind.UPSTREAM_INVALID_RESPONSE,
                    "Provider '" + provider + "' answered without a message.");
        }
        StringBuilder text = new StringBuilder();
        boolean hasText = false;
        ArrayNode calls = null;
        for (ContentBlock b : r.output().message().content()) {
            if (b.text() != null) {
                text.append(b.text());
                hasText = true;
            } else if (b.toolUse() != null) {
                if (calls == null) {
                    calls = Json.MAPPER.createArrayNode();
                }
                calls.add(toolCall(b.toolUse().toolUseId(), b.toolUse().name(), Documents.json(b.toolUse().input())));
            }
        }
        JsonNode content = hasText || calls == null ? TextNode.valueOf(text.toString()) : null;
        ChatMessage message = new ChatMessage(Role.ASSISTANT, content, null, null, calls, Map.of());
        return new ChatResponse(id, created, model,
                List.of(new ChatChoice(0, message, finishReason(r.stopReasonAsString(), provider), null)),
                usage(r.usage()), null, Map.of());
    }

    /** An OpenAI tool call. */
    static ObjectNode toolCall(String id, String name, String arguments) {
        ObjectNode call = Json.MAPPER.createObjectNode().put("id", id).put("type", "function");
        call.putObject("function").put("name", name).put("arguments", arguments);
        return call;
    }

    /**
     * OpenAI's {@code finish_reason} for a Bedrock stop reason. A model output Bedrock calls malformed is not an
     * answer (502 {@code upstream_invalid_response}); a stop reason unknown to this mapping is passed on as Bedrock
     * named it rather than guessed.
     */
    static String finishReason(String stopReason, String provider) {
        if (stopReason == null) {
            throw GatewayException.of(ErrorKind.UPSTREAM_INVALID_RESPONSE,
                    "Provider '" + provider + "' answered without a stop reason.");
        }
        return switch (stopReason) {
            case "end_turn", "stop_sequence" -> "stop";
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> "tool_calls";
            case "content_filtered", "guardrail_intervened" -> "content_filter";
            case "malformed_model_output", "malformed_tool_use" -> throw GatewayException.of(
                    ErrorKind.UPSTREAM_INVALID_RESPONSE, "Provider '" + provider + "' produced malformed output ("
                            + stopReason + ").");
            default -> stopReason;
        };
    }

    /**
     * OpenAI's usage: {@code prompt_tokens} counts every input token, cache reads and writes included (Bedrock's
     * {@code inputTokens} leaves them out), cache reads again as {@code prompt_tokens_details.cached_tokens}.
     */
    static Usage usage(TokenUsage u) {
        if (u == null) {
            return Usage.NONE;
        }
        // negative counts read as 0 and sums saturate: an odd count from upstream must not fail the answer
        int read = nonNegative(u.cacheReadInputTokens());
        int write = nonNegative(u.cacheWriteInputTokens());
        int in = (int) Math.min(Integer.MAX_VALUE, (long) nonNegative(u.inputTokens()) + read + write);
        int out = nonNegative(u.outputTokens());
        return new Usage(in, out, (int) Math.min(Integer.MAX_VALUE, (long) in + out), Map.of("prompt_tokens_details",
                Json.MAPPER.createObjectNode().put("cached_tokens", read)));
    }

    private static int nonNegative(Integer n) {
        return n == null ? 0 : Math.max(0, n);
    }
}
