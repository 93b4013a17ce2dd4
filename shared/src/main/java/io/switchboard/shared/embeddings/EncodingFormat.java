package io.switchboard.shared.embeddings;

/** How the vectors of an embeddings answer are written: JSON numbers, or base64 of little-endian float32 bytes. */
public enum EncodingFormat {
    /** {@code "embedding": [0.0023064255, -0.009327292, ...]}, OpenAI's default. */
    FLOAT("float"),
    /** {@code "embedding": "<base64>"}: the vector's float32 values, little-endian, base64 with padding. */
    BASE64("base64");

    private final String wire;

    EncodingFormat(String wire) {
        this.wire = wire;
    }

    /** The value of {@code encoding_format}. */
    public String wire() {
        return wire;
    }

    /** The format named {@code s} on the wire, or null when it names none. */
    public static EncodingFormat fromWire(String s) {
        for (EncodingFormat f : values()) {
            if (f.wire.equals(s)) {
                return f;
            }
        }
        return null;
    }
}
