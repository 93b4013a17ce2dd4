package io.switchboard.core.cache;

import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The L2 value format: one flag byte ({@code 0} plain, {@code 1} raw DEFLATE at level 1), then the completion JSON.
 * Values under a threshold stay plain: compressing a short answer costs more than the bytes it saves. DEFLATE at its
 * fastest level comes with the JDK (no jar, no native code) and, on completion JSON, keeps most of gzip's ratio at a
 * fraction of its time (see {@code bench/.../CodecBench}).
 */
public final class ValueCodec {
    static final byte PLAIN = 0;
    static final byte DEFLATE = 1;
    private final int compressMinBytes;

    /** A codec compressing values of at least {@code compressMinBytes}. */
    public ValueCodec(int compressMinBytes) {
        this.compressMinBytes = compressMinBytes;
    }

    /** Encodes {@code json}. */
    public byte[] encode(byte[] json) {
        if (json.length >= compressMinBytes) {
            Deflater d = new Deflater(Deflater.BEST_SPEED, true);
            try {
                d.setInput(json);
                d.finish();
                byte[] buf = new byte[json.length + 64];
                buf[0] = DEFLATE;
                int n = 1;
                while (!d.finished()) {
                    if (n == buf.length) {
                        buf = java.util.Arrays.copyOf(buf, buf.length * 2);
                    }
                    n += d.deflate(buf, n, buf.length - n);
                }
                if (n < json.length + 1) {
                    return java.util.Arrays.copyOf(buf, n);
                }
            } finally {
                d.end();
            }
        }
        byte[] out = new byte[json.length + 1];
        out[0] = PLAIN;
        System.arraycopy(json, 0, out, 1, json.length);
        return out;
    }

    /** Decodes a stored value; throws {@link IllegalArgumentException} on a value it did not write. */
    public byte[] decode(byte[] value) {
        if (value == null || value.length == 0) {
            throw new IllegalArgumentException("empty cache value");
        }
        if (value[0] == PLAIN) {
            return java.util.Arrays.copyOfRange(value, 1, value.length);
        }
        if (value[0] != DEFLATE) {
            throw new IllegalArgumentException("unknown cache value format " + value[0]);
        }
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(value, 1, value.length - 1);
            ByteArrayOutputStream out = new ByteArrayOutputStream(value.length * 4);
            byte[] buf = new byte[Math.max(256, value.length * 4)];
            while (!inf.finished()) {
                int n = inf.inflate(buf);
                if (n == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    throw new IllegalArgumentException("truncated cache value");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("corrupt cache value", e);
        } finally {
            inf.end();
        }
    }
}
