package io.switchboard.core.metrics;

/** What a request asked the gateway for, as recorded with its outcome. */
public enum Operation {
    /** {@code POST /v1/chat/completions}. */
    CHAT_COMPLETIONS("chat.completions"),
    /** {@code POST /v1/embeddings}. */
    EMBEDDINGS("embeddings");

    private final String label;

    Operation(String label) {
        this.label = label;
    }

    /** The name written with the metrics ({@code operation} property). */
    public String label() {
        return label;
    }
}
