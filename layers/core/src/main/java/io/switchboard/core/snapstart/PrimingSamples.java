package io.switchboard.core.snapstart;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Representative requests and provider answers that priming runs through the real code, offline. */
public final class PrimingSamples {
    /** The model the priming environment routes to its mock provider. */
    public static final String MODEL = "__prime";

    /** Request bodies: cached and uncached, stream, tools, content parts, and the two commonest errors. */
    public static final List<byte[]> REQUESTS = List.of(
            bytes("{\"model\":\"" + MODEL + "\",\"temperature\":0,\"max_tokens\":64,\"messages\":["
                    + "{\"role\":\"system\",\"content\":\"You are terse.\"},{\"role\":\"user\",\"content\":\"Prime.\"}]}"),
            bytes("{\"model\":\"" + MODEL + "\",\"temperature\":0,\"max_tokens\":64,\"messages\":["
                    + "{\"role\":\"system\",\"content\":\"You are terse.\"},{\"role\":\"user\",\"content\":\"Prime.\"}]}"),
            bytes("{\"model\":\"" + MODEL + "\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                    + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Stream.\"}]}]}"),
            bytes("{\"model\":\"" + MODEL + "\",\"temperature\":0,\"stream\":true,\"messages\":"
                    + "[{\"role\":\"user\",\"content\":\"Prime.\"},{\"role\":\"assistant\",\"content\":\"ok\"},"
                    + "{\"role\":\"user\",\"content\":\"Again.\"}]}"),
            bytes("{\"model\":\"" + MODEL + "\",\"seed\":7,\"tools\":[{\"type\":\"function\",\"function\":{\"name\":"
                    + "\"f\",\"parameters\":{\"type\":\"object\"}}}],\"tool_choice\":\"required\",\"messages\":"
                    + "[{\"role\":\"user\",\"content\":\"Call f.\"}],\"response_format\":{\"type\":\"json_object\"}}"),
            bytes("{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\"}]}"),
            bytes("{\"model\":\"__unknown\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
            bytes("{\"model\":"));

    /**
     * Embeddings request bodies: one input of two items asked for as numbers (a miss: the provider, the store in
     * base64, the number writer), then as base64 (a hit answered with the stored bytes), then as numbers again (a hit
     * whose stored vectors are read and written as numbers), then one refused input.
     */
    public static final List<byte[]> EMBEDDING_REQUESTS = List.of(
            bytes("{\"model\":\"" + MODEL + "\",\"input\":[\"Prime.\",\"Embed.\"],\"dimensions\":16}"),
            bytes("{\"model\":\"" + MODEL + "\",\"input\":[\"Prime.\",\"Embed.\"],\"dimensions\":16,"
                    + "\"encoding_format\":\"base64\"}"),
            bytes("{\"model\":\"" + MODEL + "\",\"input\":[\"Prime.\",\"Embed.\"],\"dimensions\":16,"
                    + "\"encoding_format\":\"float\"}"),
            bytes("{\"model\":\"" + MODEL + "\",\"input\":[\"\"]}"));

    /** An OpenAI-compatible provider's embeddings answer (numbers), as the openai provider parses it. */
    public static final byte[] PROVIDER_EMBEDDING = bytes("{\"object\":\"list\",\"data\":[{\"object\":"
            + "\"embedding\",\"index\":0,\"embedding\":[0.0023064255,-0.009327292,0.015797347,-0.0077780345]}],"
            + "\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":2,\"total_tokens\":2}}");

    /** An OpenAI-compatible provider's completion, as the openai provider parses it. */
    public static final byte[] PROVIDER_COMPLETION = bytes("{\"id\":\"chatcmpl-prime\",\"object\":\"chat.completion\","
            + "\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
            + "\"content\":\"Primed.\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":"
            + "{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7,\"prompt_tokens_details\":"
            + "{\"cached_tokens\":0}},\"system_fingerprint\":\"fp\",\"service_tier\":\"default\"}");

    private PrimingSamples() {
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
