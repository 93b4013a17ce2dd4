package io.switchboard.shared.config;

import java.util.Locale;

/** The wire protocols a provider can speak. */
public enum ProviderType {
    /** Any OpenAI-compatible endpoint: OpenAI, Groq, Together, vLLM, Ollama and the like. */
    OPENAI,
    /** Deterministic, offline answers derived from the prompt. */
    MOCK,
    /** Anthropic's Messages API ({@code POST {baseUrl}/messages}), behind the OpenAI format. */
    ANTHROPIC,
    /** Amazon Bedrock through the AWS SDK: Converse and ConverseStream, SigV4 with the function's role. */
    BEDROCK;

    /** The lower-case name used in configuration. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type named {@code id} in configuration. */
    public static ProviderType fromId(String id) {
        for (ProviderType t : values()) {
            if (t.id().equals(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown provider type '" + id + "' (known: openai, mock, anthropic, bedrock)");
    }
}
