package io.switchboard.shared.catalog;

import java.util.Objects;

/**
 * One model as OpenAI's {@code GET /v1/models} lists it: {@code {"id","object":"model","created","owned_by"}}.
 *
 * @param id the name a caller sends as {@code model}
 * @param created Unix seconds the model was created (0 when the provider does not say)
 * @param ownedBy who owns it (the provider's name, or the owner the provider reports)
 */
public record ModelInfo(String id, long created, String ownedBy) {
    public ModelInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(ownedBy, "ownedBy");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("a model id must not be empty");
        }
        if (created < 0) {
            throw new IllegalArgumentException("created must not be negative");
        }
    }
}
