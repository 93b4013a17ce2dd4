package io.switchboard.core.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatRequest;
import java.util.Map;

/**
 * Which OpenAI request parameters the Messages API cannot honour, and what happens to them. The rule: a parameter
 * whose silent omission would change the kind of answer the caller gets (more than one choice, log probabilities,
 * a JSON shape, audio, web search results, legacy function calling) is refused with a 400 naming it
 * ({@code unsupported_parameter}, or {@code unsupported_value} when other values of it are fine); one that only tunes
 * sampling, cost or bookkeeping ({@code presence_penalty}, {@code frequency_penalty}, {@code seed},
 * {@code logit_bias}, {@code store}, {@code metadata}, {@code service_tier}, {@code prediction},
 * {@code reasoning_effort}, {@code verbosity}) is dropped, as is any field the gateway does not know.
 */
final class AnthropicParameters {
    private AnthropicParameters() {
    }

    /** Throws the 400 for the first parameter of {@code r} that an {@code anthropic} provider refuses. */
    static void check(ChatRequest r, String provider) {
        if (r.n() != null && r.n() > 1) {
            throw unsupportedValue("n", "'n' greater than 1", provider);
        }
        JsonNode format = r.responseFormat();
        if (format != null && !format.isNull() && !"text".equals(format.path("type").asText())) {
            throw unsupportedValue("response_format.type", "'response_format' of type '"
                    + format.path("type").asText() + "'", provider);
        }
        if (r.temperature() != null && r.temperature() > 1) {
            throw GatewayException.invalid("temperature", "'temperature' must be between 0 and 1 for provider '"
                    + provider + "' (Anthropic's range).");
        }
        for (Map.Entry<String, JsonNode> e : r.extensions().entrySet()) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "logprobs" -> {
                    if (v.asBoolean(false)) {
                        throw unsupportedValue("logprobs", "'logprobs'", provider);
                    }
                }
                case "top_logprobs" -> {
                    if (v.asInt(0) > 0) {
                        throw unsupportedValue("top_logprobs", "'top_logprobs'", provider);
                    }
                }
                case "modalities" -> {
                    for (JsonNode m : v.isTextual() ? java.util.List.of(v) : v) {
                        if (!"text".equals(m.asText())) {
                            throw unsupportedValue("modalities", "Output modalities other than 'text'", provider);
                        }
                    }
                }
                case "audio", "functions", "function_call", "web_search_options" -> {
                    if (!v.isNull()) {
                        throw GatewayException.invalid(e.getKey(), "'" + e.getKey()
                                + "' is not supported by provider '" + provider + "' (Anthropic Messages API)"
                                + (e.getKey().startsWith("function") ? "; use 'tools' and 'tool_choice'." : "."))
                                .withCode("unsupported_parameter");
                    }
                }
                default -> { } // dropped: see the class comment
            }
        }
    }

    private static GatewayException unsupportedValue(String param, String what, String provider) {
        return GatewayException.invalid(param, what + " is not supported by provider '" + provider
                + "' (Anthropic Messages API).").withCode("unsupported_value");
    }
}
