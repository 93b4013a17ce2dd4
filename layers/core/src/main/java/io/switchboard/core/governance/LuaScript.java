package io.switchboard.core.governance;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A Lua script and its SHA-1 (what {@code EVALSHA} names it by).
 *
 * @param source the script
 * @param sha1 lower-case hex SHA-1 of the source
 */
public record LuaScript(String source, String sha1) {
    public LuaScript {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(sha1, "sha1");
    }

    /** The script of {@code source}. */
    public static LuaScript of(String source) {
        try {
            return new LuaScript(source, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(source.getBytes(StandardCharsets.UTF_8))));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by every JDK", e);
        }
    }
}
