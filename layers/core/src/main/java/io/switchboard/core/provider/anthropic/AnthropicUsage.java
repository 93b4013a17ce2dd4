package io.switchboard.core.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.switchboard.shared.chat.Usage;
import java.util.Map;

/**
 * Anthropic's token counts, as a message or a stream reports them. Input is split three ways (uncached, written to
 * the prompt cache, read from it); OpenAI's {@code prompt_tokens} is their sum and its
 * {@code prompt_tokens_details.cached_tokens} the part read from the cache.
 *
 * @param input {@code input_tokens} (uncached input)
 * @param cacheCreation {@code cache_creation_input_tokens}
 * @param cacheRead {@code cache_read_input_tokens}
 * @param output {@code output_tokens}
 */
record AnthropicUsage(int input, int cacheCreation, int cacheRead, int output) {
    static final AnthropicUsage NONE = new AnthropicUsage(0, 0, 0, 0);

    /** These counts with every count {@code usage} carries replacing ours (stream counts are cumulative). */
    AnthropicUsage merge(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return this;
        }
        return new AnthropicUsage(count(usage, "input_tokens", input),
                count(usage, "cache_creation_input_tokens", cacheCreation),
                count(usage, "cache_read_input_tokens", cacheRead), count(usage, "output_tokens", output));
    }

    /** OpenAI's usage object. */
    Usage toUsage() {
        // sums saturate: counts near the int range from upstream must not fail the answer
        int prompt = (int) Math.min(Integer.MAX_VALUE, (long) input + cacheCreation + cacheRead);
        JsonNode details = JsonNodeFactory.instance.objectNode().put("cached_tokens", cacheRead);
        return new Usage(prompt, output, (int) Math.min(Integer.MAX_VALUE, (long) prompt + output),
                Map.of("prompt_tokens_details", details));
    }

    private static int count(JsonNode usage, String field, int otherwise) {
        JsonNode n = usage.get(field);
        return n != null && n.isIntegralNumber() && n.canConvertToInt() && n.intValue() >= 0 ? n.intValue() : otherwise;
    }
}
