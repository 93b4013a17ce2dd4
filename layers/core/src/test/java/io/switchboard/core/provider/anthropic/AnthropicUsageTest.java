package io.switchboard.core.provider.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A crasher of the reliability run: counts whose sum passes the int range made the answer a 500. */
class AnthropicUsageTest {
    @Test
    void sumsSaturateInsteadOfOverflowing() {
        var usage = new AnthropicUsage(2_000_000_000, 2_000_000_000, 5, 2_000_000_000).toUsage();
        assertEquals(Integer.MAX_VALUE, usage.promptTokens());
        assertEquals(Integer.MAX_VALUE, usage.totalTokens());
        assertEquals(2_000_000_000, usage.completionTokens());
    }
}
