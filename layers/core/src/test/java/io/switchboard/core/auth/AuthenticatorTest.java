package io.switchboard.core.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.config.ApiKeyEntry;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuthenticatorTest {
    private static final String DEV_KEY = "sk-switchboard-dev";
    private static final String DEV_KEY_SHA256 = "16d3abffdab01693c41bed2a36e04e5bfe4a60f1bb23f48dbabe6fdfd7c24f68";
    private static final String TEAM_A_KEY = "sk-team-a-0123456789";
    private static final String TEAM_B_KEY = "sk-team-b-9876543210";

    private static Authenticator devOnly() {
        return new Authenticator(List.of(new ApiKeyEntry("local", Authenticator.sha256Hex(DEV_KEY))));
    }

    private static GatewayException refused(Authenticator auth, String header) {
        GatewayException e = assertThrows(GatewayException.class, () -> auth.authenticate(header));
        assertEquals(ErrorKind.AUTHENTICATION, e.kind());
        assertEquals(401, e.status());
        assertEquals("invalid_api_key", e.code());
        return e;
    }

    private static void assertNotLeaked(GatewayException e, String key) {
        assertFalse(e.getMessage().contains(key), () -> "message leaks the presented key: " + e.getMessage());
    }

    @Test
    void sha256Hex_matchesKnownVector() {
        assertEquals(DEV_KEY_SHA256, Authenticator.sha256Hex(DEV_KEY));
        // FIPS 180-2 vector, to pin UTF-8 + lower-case hex rather than just self-consistency
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                Authenticator.sha256Hex("abc"));
        assertArrayEquals(HexFormat.of().parseHex(DEV_KEY_SHA256), Authenticator.sha256(DEV_KEY));
    }

    @Test
    void authenticate_validKeyReturnsTenant() {
        assertEquals(new Tenant("local"), devOnly().authenticate("Bearer " + DEV_KEY));
    }

    @Test
    void authenticate_schemeIsCaseInsensitiveAndKeyIsStripped() {
        assertEquals(new Tenant("local"), devOnly().authenticate("bearer " + DEV_KEY));
        assertEquals(new Tenant("local"), devOnly().authenticate("BEARER   " + DEV_KEY + "  "));
    }

    @Test
    void authenticate_wrongKeyRefusedWithoutEchoingIt() {
        String wrong = "sk-switchboard-wrong-secret-value";
        GatewayException e = refused(devOnly(), "Bearer " + wrong);
        assertNotLeaked(e, wrong);
        assertNotLeaked(e, DEV_KEY);
    }

    @Test
    void authenticate_keyDifferingInCaseIsRefused() {
        refused(devOnly(), "Bearer " + DEV_KEY.toUpperCase(java.util.Locale.ROOT));
    }

    @Test
    void authenticate_prefixOfValidKeyIsRefused() {
        refused(devOnly(), "Bearer " + DEV_KEY.substring(0, DEV_KEY.length() - 1));
    }

    @Test
    void authenticate_missingHeaderRefused() {
        refused(devOnly(), null);
        refused(devOnly(), "");
        refused(devOnly(), "   ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Basic c2stc3dpdGNoYm9hcmQtZGV2", "Token sk-switchboard-dev", "sk-switchboard-dev",
            "Bearer", "Bearersk-switchboard-dev"})
    void authenticate_nonBearerSchemeRefused(String header) {
        GatewayException e = refused(devOnly(), header);
        assertNotLeaked(e, DEV_KEY);
    }

    @Test
    void authenticate_emptyKeyRefused() {
        refused(devOnly(), "Bearer ");
        refused(devOnly(), "Bearer         ");
    }

    @Test
    void authenticate_tooLongKeyRefusedWithoutEchoingIt() {
        String longKey = "sk-" + "x".repeat(600);
        GatewayException e = refused(devOnly(), "Bearer " + longKey);
        assertNotLeaked(e, longKey);
        assertNotLeaked(e, "xxxxxxxx");
    }

    @Test
    void authenticate_tooLongKeyRefusedEvenWhenConfigured() {
        String longKey = "k".repeat(513);
        Authenticator auth = new Authenticator(List.of(new ApiKeyEntry("big", Authenticator.sha256Hex(longKey))));
        refused(auth, "Bearer " + longKey);
        String maxKey = "k".repeat(512);
        Authenticator atLimit = new Authenticator(List.of(new ApiKeyEntry("big", Authenticator.sha256Hex(maxKey))));
        assertEquals(new Tenant("big"), atLimit.authenticate("Bearer " + maxKey));
    }

    @Test
    void authenticate_noConfiguredKeysRefusesEverything() {
        Authenticator none = new Authenticator(List.of());
        GatewayException e = refused(none, "Bearer " + DEV_KEY);
        assertNotLeaked(e, DEV_KEY);
        refused(none, "Bearer anything");
        refused(none, null);
    }

    @Test
    void authenticate_twoTenantsResolvedToTheirOwnTenant() {
        Authenticator auth = new Authenticator(List.of(
                new ApiKeyEntry("team-a", Authenticator.sha256Hex(TEAM_A_KEY)),
                new ApiKeyEntry("team-b", Authenticator.sha256Hex(TEAM_B_KEY))));
        assertEquals(new Tenant("team-a"), auth.authenticate("Bearer " + TEAM_A_KEY));
        assertEquals(new Tenant("team-b"), auth.authenticate("Bearer " + TEAM_B_KEY));
        GatewayException e = refused(auth, "Bearer " + DEV_KEY);
        assertNotLeaked(e, DEV_KEY);
    }

    @Test
    void authenticate_hashConfiguredInUpperCaseStillMatches() {
        Authenticator auth = new Authenticator(List.of(
                new ApiKeyEntry("upper", DEV_KEY_SHA256.toUpperCase(java.util.Locale.ROOT))));
        assertEquals(new Tenant("upper"), auth.authenticate("Bearer " + DEV_KEY));
    }
}
