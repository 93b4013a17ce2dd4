package io.switchboard.shared.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Utf8} agrees with the JDK's strict decoder, and the request readers refuse what is not well-formed UTF-8
 * (issue 16: a surrogate or an out-of-range sequence in a prompt was accepted and decoded lossily by Jackson, so two
 * different bodies shared one cache key).
 */
class Utf8Test {
    private static final byte[][] ILL_FORMED = {{(byte) 0xC0, (byte) 0x80}, {(byte) 0xC1, (byte) 0xBF},
            {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xED, (byte) 0xBF, (byte) 0xBF}, {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0xAF},
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80},
            {(byte) 0x80}, {(byte) 0xFE}, {(byte) 0xFF}, {(byte) 0xE2, (byte) 0x82}};

    @Test
    void agreesWithTheJdkDecoderOnRandomBytes() {
        Random r = new Random(16);
        for (int i = 0; i < 30_000; i++) {
            byte[] b = new byte[r.nextInt(12)];
            for (int j = 0; j < b.length; j++) {
                // bias towards the lead and continuation bytes where the edge cases are
                b[j] = (byte) (r.nextBoolean() ? 0x80 + r.nextInt(0x80) : r.nextInt(256));
            }
            assertEquals(jdkValid(b), Utf8.firstInvalid(b) < 0, () -> java.util.HexFormat.of().formatHex(b));
        }
    }

    @Test
    void wellFormedTextPasses() {
        assertEquals(-1, Utf8.firstInvalid("plain, é, ─, 😀, \uFFFD, \u0000".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void chatAndEmbeddingReadersRefuseIllFormedPrompts() {
        for (byte[] bad : ILL_FORMED) {
            GatewayException chat = assertThrows(GatewayException.class, () -> ChatRequestReader.read(
                    body("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a", bad, "b\"}]}")));
            assertEquals(ErrorKind.INVALID_JSON, chat.kind());
            assertEquals(400, chat.status());
            GatewayException emb = assertThrows(GatewayException.class, () -> EmbeddingRequestReader.read(
                    body("{\"model\":\"e\",\"input\":\"a", bad, "b\"}")));
            assertEquals(ErrorKind.INVALID_JSON, emb.kind());
        }
    }

    @Test
    void twoBodiesThatDifferOnlyInIllFormedBytesNoLongerReadAlike() {
        // Jackson decoded both surrogate encodings to the same replacement text before
        assertThrows(GatewayException.class, () -> ChatRequestReader.read(body(
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"", new byte[] {(byte) 0xED,
                        (byte) 0xA0, (byte) 0x80}, "\"}]}")));
    }

    private static byte[] body(String before, byte[] bad, String after) {
        byte[] a = before.getBytes(StandardCharsets.UTF_8);
        byte[] c = after.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[a.length + bad.length + c.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(bad, 0, out, a.length, bad.length);
        System.arraycopy(c, 0, out, a.length + bad.length, c.length);
        return out;
    }

    private static boolean jdkValid(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
