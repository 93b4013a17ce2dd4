package io.switchboard.shared.embeddings;

import java.util.Arrays;

/**
 * One embedding of an answer: its index (the position of its input) and its vector of float32 values. Immutable: the
 * values are copied in and never handed out.
 */
public final class Embedding {
    private final int index;
    private final float[] values;

    private Embedding(int index, float[] values) {
        this.index = index;
        this.values = values;
    }

    /** The embedding at {@code index} with a copy of {@code values}, which must be finite. */
    public static Embedding of(int index, float[] values) {
        if (index < 0) {
            throw new IllegalArgumentException("index must not be negative");
        }
        float[] copy = values.clone();
        for (float v : copy) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("embedding values must be finite");
            }
        }
        return new Embedding(index, copy);
    }

    /** The position of its input. */
    public int index() {
        return index;
    }

    /** The vector's length. */
    public int dimensions() {
        return values.length;
    }

    /** Value {@code i}. */
    public float get(int i) {
        return values[i];
    }

    /** A copy of the values. */
    public float[] toArray() {
        return values.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Embedding e && e.index == index && Arrays.equals(e.values, values);
    }

    @Override
    public int hashCode() {
        return 31 * index + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "Embedding[index=" + index + ", dimensions=" + values.length + "]";
    }
}
