package io.switchboard.core.auth;

import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.config.ApiKeyEntry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Checks {@code Authorization: Bearer <key>} against the configured key hashes. The presented key is hashed once and
 * compared with every configured hash by {@link MessageDigest#isEqual} without an early exit, so the time taken does
 * not depend on which key, if any, matched. With no keys configured every request is refused: there is no open
 * endpoint by default.
 */
public final class Authenticator {
    private static final int MAX_KEY_LENGTH = 512;

    private final byte[][] hashes;
    private final Tenant[] tenants;

    /** An authenticator accepting exactly {@code keys}. */
    public Authenticator(List<ApiKeyEntry> keys) {
        hashes = new byte[keys.size()][];
        tenants = new Tenant[keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            hashes[i] = keys.get(i).sha256();
            tenants[i] = new Tenant(keys.get(i).tenant());
        }
    }

    /** The tenant of the key in {@code authorization} (the header's value, possibly null). */
    public Tenant authenticate(String authorization) {
        String key = bearer(authorization);
        if (hashes.length == 0) {
            throw GatewayException.of(ErrorKind.AUTHENTICATION,
                    "This gateway has no keys configured (SWITCHBOARD_API_KEYS), so it accepts none.");
        }
        Tenant found = match(sha256(key));
        if (found == null) {
            throw GatewayException.of(ErrorKind.AUTHENTICATION, "Incorrect gateway key provided.");
        }
        return found;
    }

    /**
     * The tenant of the configured key whose SHA-256 is {@code presented}, or null; compares with every configured
     * hash without an early exit.
     */
    public Tenant match(byte[] presented) {
        Tenant found = null;
        for (int i = 0; i < hashes.length; i++) {
            if (MessageDigest.isEqual(presented, hashes[i]) && found == null) {
                found = tenants[i];
            }
        }
        return found;
    }

    /** The key of an {@code Authorization: Bearer <key>} header's value; 401 when missing or malformed. */
    public static String bearer(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw GatewayException.of(ErrorKind.AUTHENTICATION,
                    "Missing gateway key. Send it as 'Authorization: Bearer <key>'.");
        }
        if (authorization.length() < 8 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw GatewayException.of(ErrorKind.AUTHENTICATION,
                    "Malformed Authorization header. Send 'Authorization: Bearer <key>'.");
        }
        String key = authorization.substring(7).strip();
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            throw GatewayException.of(ErrorKind.AUTHENTICATION,
                    "Malformed Authorization header. Send 'Authorization: Bearer <key>'.");
        }
        return key;
    }

    /** Whether no key is configured. */
    public boolean empty() {
        return hashes.length == 0;
    }

    /** SHA-256 of a key's UTF-8 bytes. */
    public static byte[] sha256(String key) {
        return Sha256.digest(key.getBytes(StandardCharsets.UTF_8));
    }

    /** Lower-case hex SHA-256 of a key, the form keys are configured in. */
    public static String sha256Hex(String key) {
        return java.util.HexFormat.of().formatHex(sha256(key));
    }
}
