package io.switchboard.core.governance;

import java.util.List;

/** What the rate limiter needs of L2: plain commands sent together in one round trip, and Lua scripts. */
public interface CounterL2 {
    /**
     * Sends {@code commands} (each a command name followed by its arguments) in one write and returns their replies
     * in order: {@code Long} for integers, {@code byte[]} for strings, null for a missing value, the exception for a
     * command that failed. One round trip; throws when L2 cannot be reached.
     */
    List<Object> pipeline(List<String[]> commands);

    /** Runs {@code script} by its SHA-1 (loading it on {@code NOSCRIPT}): one round trip; throws when unreachable. */
    Object runScript(LuaScript script, List<String> keys, List<String> args);
}
