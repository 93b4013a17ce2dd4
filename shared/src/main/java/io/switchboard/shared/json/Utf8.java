package io.switchboard.shared.json;

/**
 * Strict UTF-8 well-formedness (RFC 3629, Unicode table 3-7): no overlong forms, no surrogates (ED A0..BF), nothing
 * above U+10FFFF, no truncated or stray continuation bytes. Jackson's byte parser accepts some of these and decodes
 * them lossily, so two different bodies could read as one request (and one cache key); the readers check first.
 * One pass, no allocation, an ASCII fast path.
 */
public final class Utf8 {
    private Utf8() {
    }

    /** The offset of the first byte that is not well-formed UTF-8 in {@code b}, or -1 when all of it is. */
    public static int firstInvalid(byte[] b) {
        int i = 0;
        int n = b.length;
        while (i < n) {
            int c = b[i];
            if (c >= 0) {
                i++;
                continue;
            }
            c &= 0xff;
            int start = i;
            if (c >= 0xC2 && c <= 0xDF) {
                if (!cont(b, i + 1, 0x80, 0xBF)) {
                    return start;
                }
                i += 2;
            } else if (c >= 0xE0 && c <= 0xEF) {
                int lo = c == 0xE0 ? 0xA0 : 0x80;
                int hi = c == 0xED ? 0x9F : 0xBF;
                if (!cont(b, i + 1, lo, hi) || !cont(b, i + 2, 0x80, 0xBF)) {
                    return start;
                }
                i += 3;
            } else if (c >= 0xF0 && c <= 0xF4) {
                int lo = c == 0xF0 ? 0x90 : 0x80;
                int hi = c == 0xF4 ? 0x8F : 0xBF;
                if (!cont(b, i + 1, lo, hi) || !cont(b, i + 2, 0x80, 0xBF) || !cont(b, i + 3, 0x80, 0xBF)) {
                    return start;
                }
                i += 4;
            } else {
                return start;
            }
        }
        return -1;
    }

    private static boolean cont(byte[] b, int i, int lo, int hi) {
        if (i >= b.length) {
            return false;
        }
        int c = b[i] & 0xff;
        return c >= lo && c <= hi;
    }
}
