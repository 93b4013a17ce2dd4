package io.switchboard.core.provider.bedrock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.fuzz.Fuzz;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.json.ChatJson;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockDelta;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockDeltaEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockStart;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockStartEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockStopEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseOutput;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamMetadataEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamOutput;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.MessageStartEvent;
import software.amazon.awssdk.services.bedrockruntime.model.MessageStopEvent;
import software.amazon.awssdk.services.bedrockruntime.model.TokenUsage;
import software.amazon.awssdk.services.bedrockruntime.model.ToolUseBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolUseBlockDelta;
import software.amazon.awssdk.services.bedrockruntime.model.ToolUseBlockStart;

/**
 * Fuzz targets of the Bedrock mapping: {@link StreamTranslator} over random Converse stream event sequences (any
 * order, missing fields, unknown stop reasons, tool input without its start, odd text) and {@link ResponseMapper}
 * over random Converse answers. Property: every chunk is one JSON object, and nothing but a non-internal
 * {@link GatewayException} escapes.
 */
class BedrockMappingFuzzTest {
    private static final String[] STOPS = {"end_turn", "tool_use", "max_tokens", "stop_sequence", "guardrail_intervened",
            "content_filtered", "something_new", "", null};
    private static final String[] TEXTS = {"", "hi", "\u0000", "\"\\", "\ud83d\ude00", "\ud800", "{\"a\":", "data: [DONE]\n\n",
            null};

    @Test
    void streamTranslator() {
        Fuzz.run("bedrock-stream", BedrockMappingFuzzTest::events, events -> {
            StreamTranslator t = new StreamTranslator("chatcmpl-x", 1L, "m", true, "bedrock");
            try {
                for (ConverseStreamOutput e : events) {
                    byte[] chunk = t.accept(e);
                    if (chunk != null) {
                        assertTrue(Json.MAPPER.readTree(chunk).isObject());
                    }
                }
                if (t.complete()) {
                    t.result();
                }
            } catch (GatewayException e) {
                assertNotEquals(ErrorKind.INTERNAL, e.kind(), e::getMessage);
            } catch (IOException e) {
                throw new AssertionError("a chunk is not JSON", e);
            }
        });
    }

    @Test
    void responseMapper() {
        Fuzz.run("bedrock-response", BedrockMappingFuzzTest::response, r -> {
            try {
                byte[] json = ChatJson.writeResponse(ResponseMapper.map(r, "chatcmpl-x", 1L, "m", "bedrock"));
                assertTrue(Json.MAPPER.readTree(json).isObject());
            } catch (GatewayException e) {
                assertNotEquals(ErrorKind.INTERNAL, e.kind(), e::getMessage);
            } catch (IOException e) {
                throw new AssertionError("the answer is not JSON", e);
            }
        });
    }

    /** Crashers the fuzz run found: counts near the int range or negative made the answer a 500. */
    @Test
    void foundCrashersAreAnsweredNow() {
        TokenUsage huge = TokenUsage.builder().inputTokens(Integer.MAX_VALUE).outputTokens(Integer.MAX_VALUE)
                .totalTokens(Integer.MAX_VALUE).cacheReadInputTokens(Integer.MAX_VALUE).build();
        assertEquals(Integer.MAX_VALUE, ResponseMapper.usage(huge).totalTokens());
        TokenUsage negative = TokenUsage.builder().inputTokens(3).outputTokens(1).cacheReadInputTokens(-5)
                .cacheWriteInputTokens(-1).build();
        assertEquals(3, ResponseMapper.usage(negative).promptTokens());
        StreamTranslator t = new StreamTranslator("chatcmpl-x", 1L, "m", true, "bedrock");
        t.accept(MessageStopEvent.builder().stopReason("end_turn").build());
        t.accept(ConverseStreamMetadataEvent.builder().usage(huge).build());
        assertTrue(t.complete());
        assertEquals(Integer.MAX_VALUE, t.result().usage().promptTokens());
    }

    static List<ConverseStreamOutput> events(Random r) {
        List<ConverseStreamOutput> out = new ArrayList<>();
        int n = r.nextInt(12);
        for (int i = 0; i < n; i++) {
            Integer block = r.nextInt(6) == 0 ? null : r.nextInt(4);
            out.add(switch (r.nextInt(7)) {
                case 0 -> MessageStartEvent.builder().role(r.nextBoolean() ? "assistant" : null).build();
                case 1 -> ContentBlockStartEvent.builder().contentBlockIndex(block).start(r.nextInt(4) == 0 ? null
                        : ContentBlockStart.builder().toolUse(ToolUseBlockStart.builder().toolUseId(text(r))
                                .name(text(r)).build()).build()).build();
                case 2 -> ContentBlockDeltaEvent.builder().contentBlockIndex(block).delta(r.nextInt(5) == 0 ? null
                        : r.nextBoolean() ? ContentBlockDelta.builder().text(text(r)).build()
                        : ContentBlockDelta.builder().toolUse(ToolUseBlockDelta.builder().input(text(r)).build())
                                .build()).build();
                case 3 -> ContentBlockStopEvent.builder().contentBlockIndex(block).build();
                case 4 -> MessageStopEvent.builder().stopReason(STOPS[r.nextInt(STOPS.length)]).build();
                case 5 -> ConverseStreamMetadataEvent.builder().usage(r.nextInt(4) == 0 ? null : usage(r)).build();
                default -> ContentBlockDeltaEvent.builder().build();
            });
        }
        return out;
    }

    static ConverseResponse response(Random r) {
        ConverseResponse.Builder b = ConverseResponse.builder().stopReason(STOPS[r.nextInt(STOPS.length)]);
        if (r.nextInt(5) != 0) {
            b.usage(usage(r));
        }
        if (r.nextInt(10) != 0) {
            List<ContentBlock> blocks = new ArrayList<>();
            for (int i = r.nextInt(4); i > 0; i--) {
                blocks.add(r.nextBoolean() ? ContentBlock.fromText(word(r))
                        : ContentBlock.fromToolUse(ToolUseBlock.builder().toolUseId(text(r)).name(text(r))
                                .input(r.nextInt(5) == 0 ? null : document(r, 3)).build()));
            }
            b.output(ConverseOutput.builder().message(r.nextInt(10) == 0 ? null
                    : Message.builder().role("assistant").content(blocks).build()).build());
        }
        return b.build();
    }

    private static TokenUsage usage(Random r) {
        return TokenUsage.builder().inputTokens(count(r)).outputTokens(count(r)).totalTokens(count(r))
                .cacheReadInputTokens(r.nextBoolean() ? null : count(r)).build();
    }

    private static Integer count(Random r) {
        return switch (r.nextInt(5)) {
            case 0 -> null;
            case 1 -> -r.nextInt(100);
            case 2 -> Integer.MAX_VALUE;
            default -> r.nextInt(10_000);
        };
    }

    private static String word(Random r) {
        String t = text(r);
        return t == null ? "x" : t;
    }

    private static String text(Random r) {
        return TEXTS[r.nextInt(TEXTS.length)];
    }

    private static Document document(Random r, int depth) {
        return switch (depth <= 0 ? r.nextInt(4) : r.nextInt(6)) {
            case 0 -> Document.fromNull();
            case 1 -> Document.fromString(word(r));
            case 2 -> Document.fromNumber(new BigDecimal(r.nextInt(3) == 0 ? "1e400" : "" + r.nextDouble()));
            case 3 -> Document.fromBoolean(r.nextBoolean());
            case 4 -> {
                List<Document> list = new ArrayList<>();
                for (int i = r.nextInt(3); i > 0; i--) {
                    list.add(document(r, depth - 1));
                }
                yield Document.fromList(list);
            }
            default -> {
                Map<String, Document> map = new LinkedHashMap<>();
                for (int i = r.nextInt(3); i > 0; i--) {
                    map.put(word(r), document(r, depth - 1));
                }
                yield Document.fromMap(map);
            }
        };
    }
}
