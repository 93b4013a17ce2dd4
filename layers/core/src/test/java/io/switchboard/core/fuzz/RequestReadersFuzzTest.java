package io.switchboard.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.cache.CanonicalRequests;
import io.switchboard.core.http.ErrorResponses;
import io.switchboard.core.http.GatewayResponse;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatRequest;
import io.switchboard.shared.embeddings.EmbeddingRequest;
import io.switchboard.shared.json.ChatRequestReader;
import io.switchboard.shared.json.EmbeddingRequestReader;
import io.switchboard.shared.json.Json;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fuzz targets of the request readers ({@link ChatRequestReader}, {@link EmbeddingRequestReader}) and what the
 * request path does next with what they accept (the cache key). Property: an input is either accepted, or refused
 * with a {@link GatewayException} of a 4xx kind whose OpenAI error body renders; nothing else escapes; a body that
 * is not well-formed UTF-8 is refused, never decoded lossily.
 */
class RequestReadersFuzzTest {
    static final List<byte[]> CHAT_SEEDS = Mutations.seeds(
            "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]}",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\","
                    + "\"content\":[{\"type\":\"text\",\"text\":\"hi \\u00e9\"}]}],\"temperature\":0.2,\"top_p\":1,"
                    + "\"max_tokens\":16,\"stop\":[\"x\",\"y\"],\"n\":1,\"seed\":7,\"user\":\"u\",\"stream\":true,"
                    + "\"stream_options\":{\"include_usage\":true}}",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":null,"
                    + "\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
                    + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"42\"}],\"tools\":[{\"type\":\"function\","
                    + "\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}}],\"tool_choice\":\"auto\","
                    + "\"response_format\":{\"type\":\"json_object\"},\"logprobs\":true,\"top_logprobs\":2,"
                    + "\"logit_bias\":{\"1\":2},\"metadata\":{\"a\":\"b\"},\"presence_penalty\":-1.5}",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"developer\",\"content\":\"d\",\"name\":\"n\"},"
                    + "{\"role\":\"user\",\"content\":\"\\ud83d\\ude00 \\\" \\\\ \\/\"}],\"max_completion_tokens\":3,"
                    + "\"stop\":\"s\",\"x_vendor\":[1,2,{\"k\":null}]}");
    static final List<byte[]> EMBEDDING_SEEDS = Mutations.seeds(
            "{\"model\":\"text-embedding-3-small\",\"input\":\"Hello there\"}",
            "{\"model\":\"e\",\"input\":[\"a\",\"b \\u00e9\"],\"encoding_format\":\"base64\",\"dimensions\":256,\"user\":\"u\"}",
            "{\"model\":\"e\",\"input\":[1,2,3],\"encoding_format\":\"float\"}",
            "{\"model\":\"e\",\"input\":[[1,2],[3]]}");

    @Test
    void chatRequest() {
        Fuzz.run("chat-request", r -> Mutations.of(r, CHAT_SEEDS), RequestReadersFuzzTest::chat);
    }

    @Test
    void embeddingRequest() {
        Fuzz.run("embedding-request", r -> Mutations.of(r, EMBEDDING_SEEDS), RequestReadersFuzzTest::embedding);
    }

    /** Ill-formed UTF-8 put in the middle of a prompt string: every form is refused. */
    @Test
    void invalidUtf8InAPrompt() {
        byte[][] bad = {{(byte) 0xC0, (byte) 0x80}, {(byte) 0xC1, (byte) 0xBF}, {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xED, (byte) 0xBF, (byte) 0xBF},
                {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0xAF}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
                {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0x80}, {(byte) 0xBF}, {(byte) 0xFE},
                {(byte) 0xFF}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}};
        Fuzz.run("invalid-utf8-prompt", r -> {
            byte[] prefix = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"ab".getBytes(
                    StandardCharsets.UTF_8);
            byte[] suffix = "cd\"}]}".getBytes(StandardCharsets.UTF_8);
            byte[] b = bad[r.nextInt(bad.length)];
            byte[] out = new byte[prefix.length + b.length + suffix.length];
            System.arraycopy(prefix, 0, out, 0, prefix.length);
            System.arraycopy(b, 0, out, prefix.length, b.length);
            System.arraycopy(suffix, 0, out, prefix.length + b.length, suffix.length);
            return out;
        }, body -> {
            try {
                ChatRequestReader.read(body);
            } catch (GatewayException e) {
                assertRefused(e);
                return;
            }
            throw new AssertionError("accepted a prompt that is not well-formed UTF-8");
        });
    }

    /**
     * Crashers of the long run, kept: a number beyond a double (1e3091) in an unknown field was accepted and then
     * failed the cache key's canonical form with a NumberFormatException, a 500. Now a 400 at the key.
     */
    @Test
    void foundCrashersAreRefusedWith4xx() {
        for (String body : List.of(
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"d\"}],\"x_vendor\":[1e3091,2]}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"d\"}],\"tools\":[{\"type\":"
                        + "\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"maximum\":-1e400}}}]}")) {
            try {
                chat(body.getBytes(StandardCharsets.UTF_8));
            } catch (GatewayException e) {
                assertRefused(e);
            }
        }
        try {
            embedding("{\"model\":\"e\",\"input\":\"e\",\"in@put\":[1,2,1e3093]}".getBytes(StandardCharsets.UTF_8));
        } catch (GatewayException e) {
            assertRefused(e);
        }
    }

    static void chat(byte[] body) {
        ChatRequest r;
        try {
            r = ChatRequestReader.read(body);
        } catch (GatewayException e) {
            assertRefused(e);
            return;
        }
        assertTrue(wellFormedUtf8(body), "a body that is not well-formed UTF-8 was accepted");
        String key;
        try {
            key = CanonicalRequests.digest("p", r.model(), r);
        } catch (GatewayException e) {
            assertRefused(e); // the key may refuse what it cannot spell canonically (a number beyond a double)
            return;
        }
        assertEquals(64, key.length(), key);
    }

    static void embedding(byte[] body) {
        EmbeddingRequest r;
        try {
            r = EmbeddingRequestReader.read(body);
        } catch (GatewayException e) {
            assertRefused(e);
            return;
        }
        assertTrue(wellFormedUtf8(body), "a body that is not well-formed UTF-8 was accepted");
        try {
            CanonicalRequests.digest("p", r.model(), r);
        } catch (GatewayException e) {
            assertRefused(e);
        }
    }

    static void assertRefused(GatewayException e) {
        assertTrue(e.status() >= 400 && e.status() < 500, () -> "not a 4xx: " + e.kind() + " " + e.getMessage());
        GatewayResponse answer = ErrorResponses.of(e);
        assertEquals(e.status(), answer.status());
        try {
            JsonNode error = Json.MAPPER.readTree(answer.body()).get("error");
            assertTrue(error.get("message").isTextual() && error.get("type").isTextual(), error::toString);
        } catch (java.io.IOException x) {
            throw new AssertionError("error body is not JSON", x);
        }
    }

    static boolean wellFormedUtf8(byte[] body) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
