package io.switchboard.core.governance;

import java.util.List;

/** Runs a Lua script in L2 (by its SHA-1, loading it on {@code NOSCRIPT}): one round trip. */
@FunctionalInterface
public interface ScriptRunner {
    /** The script's reply; throws when L2 cannot be reached. */
    Object run(LuaScript script, List<String> keys, List<String> args);
}
