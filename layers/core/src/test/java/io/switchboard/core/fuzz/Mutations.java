package io.switchboard.core.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Inputs for the fuzz targets: valid seeds mutated a few times (byte flips, inserted tokens that parsers treat
 * specially, deletions, duplications, truncations, splices), mixed with raw random bytes. The seeds keep most
 * inputs close to what the parser accepts, so the mutations reach deep into it rather than failing at byte one.
 */
public final class Mutations {
    private static final byte[][] TOKENS = {
            b("\""), b("\\"), b("{"), b("}"), b("["), b("]"), b(","), b(":"), b("null"), b("true"), b("-1"), b("0"),
            b("1e309"), b("2147483647"), b("2000000000"), b("-0.0"), b("9223372036854775808"), b("\\u0000"), b("\\ud800"), b("\\udc00x"), b("\"\""),
            b("{}"), b("[]"), b("\r\n"), b("\n\n"), b("\r"), b("data: "), b("event: "), b(": comment\n"),
            b("data: [DONE]\n\n"), b("\u00e9"), b("\ud83d\ude00"), b("\u2028"),
            {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xFF}, {(byte) 0xF4, (byte) 0x90,
            (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {0}, b("\t"), b("0\r\n\r\n"), b("ffffffffffffffff\r\n"),
            b("Transfer-Encoding: chunked\r\n"), b("Content-Length: 5\r\n"), b("Content-Length: -1\r\n"),
            b("HTTP/1.1 100 Continue\r\n\r\n"),
    };

    private Mutations() {
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Seeds mutated 1-8 times (80%) or random bytes (20%). */
    public static byte[] of(Random r, List<byte[]> seeds) {
        return r.nextInt(5) == 0 ? random(r) : mutate(r, seeds);
    }

    /** Seeds mutated 1-8 times. */
    public static byte[] mutate(Random r, List<byte[]> seeds) {
        byte[] s = seeds.get(r.nextInt(seeds.size()));
        int n = 1 + r.nextInt(8);
        for (int i = 0; i < n; i++) {
            s = once(r, s, seeds);
        }
        return s;
    }

    private static byte[] random(Random r) {
        byte[] out = new byte[r.nextInt(64)];
        r.nextBytes(out);
        return out;
    }

    private static byte[] once(Random r, byte[] s, List<byte[]> seeds) {
        int at = s.length == 0 ? 0 : r.nextInt(s.length + 1);
        switch (r.nextInt(7)) {
            case 0 -> {
                if (s.length > 0) {
                    byte[] c = s.clone();
                    c[Math.min(at, c.length - 1)] ^= (byte) (1 << r.nextInt(8));
                    return c;
                }
                return s;
            }
            case 1 -> {
                return insert(s, at, TOKENS[r.nextInt(TOKENS.length)]);
            }
            case 2 -> {
                int len = Math.min(s.length - at, 1 + r.nextInt(16));
                return cut(s, at, len);
            }
            case 3 -> {
                int len = Math.min(s.length - at, 1 + r.nextInt(32));
                return insert(s, at, Arrays.copyOfRange(s, at, at + len));
            }
            case 4 -> {
                return Arrays.copyOf(s, at);
            }
            case 5 -> {
                byte[] other = seeds.get(r.nextInt(seeds.size()));
                int from = other.length == 0 ? 0 : r.nextInt(other.length);
                return insert(Arrays.copyOf(s, at), at, Arrays.copyOfRange(other, from, other.length));
            }
            default -> {
                byte[] one = {(byte) r.nextInt(256)};
                return insert(s, at, one);
            }
        }
    }

    private static byte[] insert(byte[] s, int at, byte[] what) {
        byte[] out = new byte[s.length + what.length];
        System.arraycopy(s, 0, out, 0, at);
        System.arraycopy(what, 0, out, at, what.length);
        System.arraycopy(s, at, out, at + what.length, s.length - at);
        return out;
    }

    private static byte[] cut(byte[] s, int at, int len) {
        if (len <= 0) {
            return s;
        }
        byte[] out = new byte[s.length - len];
        System.arraycopy(s, 0, out, 0, at);
        System.arraycopy(s, at + len, out, at, s.length - at - len);
        return out;
    }

    /** The seeds as UTF-8 bytes. */
    public static List<byte[]> seeds(String... texts) {
        return Arrays.stream(texts).map(Mutations::b).toList();
    }
}
