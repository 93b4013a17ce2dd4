package io.switchboard.shared.config;

import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A gateway key as configured: the tenant it belongs to and the SHA-256 of the key, never the key itself.
 *
 * @param tenant the tenant that authenticates with this key
 * @param sha256Hex lower-case hex SHA-256 of the key
 */
public record ApiKeyEntry(String tenant, String sha256Hex) {
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    public ApiKeyEntry {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(sha256Hex, "sha256Hex");
        sha256Hex = sha256Hex.toLowerCase(java.util.Locale.ROOT);
        if (!TENANT.matcher(tenant).matches()) {
            throw new IllegalArgumentException("tenant must match " + TENANT.pattern());
        }
        if (!HEX.matcher(sha256Hex).matches()) {
            throw new IllegalArgumentException("a key hash is 64 hex digits (SHA-256)");
        }
    }

    /** The hash as bytes. */
    public byte[] sha256() {
        return HexFormat.of().parseHex(sha256Hex);
    }

    /** Parses {@code tenant:hex} or a bare hex hash (tenant {@code default}). */
    public static ApiKeyEntry parse(String spec) {
        String s = spec.strip();
        int colon = s.lastIndexOf(':');
        return colon < 0 ? new ApiKeyEntry("default", s) : new ApiKeyEntry(s.substring(0, colon), s.substring(colon + 1));
    }
}
