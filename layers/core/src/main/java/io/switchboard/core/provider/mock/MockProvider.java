package io.switchboard.core.provider.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.switchboard.core.provider.ChatProvider;
import io.switchboard.core.provider.EmbeddingCall;
import io.switchboard.core.provider.ProviderCall;
import io.switchboard.core.provider.UpstreamCall;
import io.switchboard.core.stream.Chunk;
import io.switchboard.core.stream.StreamResult;
import io.switchboard.core.stream.StreamSink;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatChoice;
import io.switchboard.shared.chat.ChatMessage;
import io.switchboard.shared.chat.ChatRequest;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.chat.Role;
import io.switchboard.shared.chat.Usage;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.embeddings.Embedding;
import io.switchboard.shared.embeddings.EmbeddingInput;
import io.switchboard.shared.embeddings.EmbeddingRequest;
import io.switchboard.shared.embeddings.EmbeddingResponse;
import io.switchboard.shared.json.ChatJson;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A deterministic provider that needs no network. The answer is derived from the conversation (it quotes the start
 * of the last user message, then continues with words drawn from a generator seeded by the whole request), so equal
 * requests get equal answers and different ones differ. It reports token usage (about four characters a token for
 * the prompt, one word a token for the answer), honours {@code max_tokens} ({@code finish_reason: length}), {@code n},
 * {@code stop}, a forced {@code tool_choice}, and streams its answer in small chunks. Latency is simulated once per
 * call (time to first token) through an injected {@link Sleeper}.
 *
 * <p>Embeddings are unit vectors derived from a SHA-256 of the model and each input item: equal inputs get equal
 * vectors in every process, different ones differ. {@code dimensions} is honoured (default
 * {@value #DEFAULT_DIMENSIONS}, at most {@value #MAX_DIMENSIONS}) the way OpenAI's {@code text-embedding-3} models
 * honour it: a shorter vector is the longer one's prefix, normalized again. Usage counts about four characters a
 * token for text, each id for token input.
 */
public final class MockProvider extends ChatProvider {
    private static final String[] WORDS = ("the gateway routes each request to a provider and returns an answer "
            + "with usage so callers can measure cost latency and quality while caching keeps repeated prompts "
            + "cheap and fast across every tenant region model and stream").split(" ");
    private static final int QUOTED_WORDS = 12;
    private static final int WORDS_PER_CHUNK = 3;

    /** Length of a mock embedding when the request names no {@code dimensions}. */
    public static final int DEFAULT_DIMENSIONS = 8;
    /** The most {@code dimensions} the mock serves (OpenAI's largest model has 3072). */
    public static final int MAX_DIMENSIONS = 4096;

    private final InstantSource clock;
    private final Sleeper sleeper;

    /** A mock provider for {@code config}. */
    public MockProvider(ProviderConfig config, InstantSource clock, Sleeper sleeper) {
        super(config);
        this.clock = clock;
        this.sleeper = sleeper;
    }

    @Override
    protected ChatResponse doChat(ProviderCall call) throws Exception {
        ChatRequest r = call.request();
        simulateLatency(call);
        long seed = seedOf(r, call.providerModel());
        List<ChatChoice> choices = new ArrayList<>(r.choices());
        int completionTokens = 0;
        for (int i = 0; i < r.choices(); i++) {
            Answer a = answer(r, seed + i);
            completionTokens += a.tokens;
            ChatMessage msg = a.toolCalls != null
                    ? new ChatMessage(Role.ASSISTANT, null, null, null, a.toolCalls, Map.of("refusal", nullNode()))
                    : new ChatMessage(Role.ASSISTANT, TextNode.valueOf(a.text), null, null, null,
                            Map.of("refusal", nullNode()));
            choices.add(new ChatChoice(i, msg, a.finishReason, null));
        }
        return new ChatResponse(id(seed), clock.instant().getEpochSecond(), call.providerModel(), choices,
                Usage.of(promptTokens(r), completionTokens), "fp_switchboard_mock", Map.of());
    }

    @Override
    protected StreamResult doStream(ProviderCall call, StreamSink sink) throws Exception {
        ChatRequest r = call.request();
        simulateLatency(call);
        long seed = seedOf(r, call.providerModel());
        String id = id(seed);
        long created = clock.instant().getEpochSecond();
        String model = call.providerModel();
        int chunks = 0;
        int completionTokens = 0;
        String finish = null;
        for (int i = 0; i < r.choices(); i++) {
            Answer a = answer(r, seed + i);
            completionTokens += a.tokens;
            finish = a.finishReason;
            sink.chunk(Chunk.of(ChatJson.writeChunk(id, created, model, i, "assistant", a.toolCalls == null ? "" : null,
                    null, null, null)));
            chunks++;
            if (a.toolCalls != null) {
                sink.chunk(Chunk.of(ChatJson.writeChunk(id, created, model, i, null, null, indexed(a.toolCalls), null, null)));
                chunks++;
            } else {
                String[] words = a.text.split(" ");
                for (int w = 0; w < words.length; w += WORDS_PER_CHUNK) {
                    StringBuilder piece = new StringBuilder();
                    for (int k = w; k < Math.min(words.length, w + WORDS_PER_CHUNK); k++) {
                        if (k > 0) {
                            piece.append(' ');
                        }
                        piece.append(words[k]);
                    }
                    sink.chunk(Chunk.of(ChatJson.writeChunk(id, created, model, i, null, piece.toString(), null, null, null)));
                    chunks++;
                }
            }
            sink.chunk(Chunk.of(ChatJson.writeChunk(id, created, model, i, null, null, null, a.finishReason, null)));
            chunks++;
        }
        Usage usage = Usage.of(promptTokens(r), completionTokens);
        JsonNode options = r.streamOptions();
        if (options != null && options.path("include_usage").asBoolean(false)) {
            sink.chunk(Chunk.of(ChatJson.writeChunk(id, created, model, -1, null, null, null, null, usage)));
            chunks++;
        }
        return new StreamResult(usage, finish, chunks);
    }

    @Override
    protected EmbeddingResponse doEmbed(EmbeddingCall call) throws Exception {
        EmbeddingRequest r = call.request();
        int dimensions = r.dimensions() == null ? DEFAULT_DIMENSIONS : r.dimensions();
        if (dimensions > MAX_DIMENSIONS) {
            throw GatewayException.of(ErrorKind.UPSTREAM_INVALID_REQUEST, "Provider '" + name()
                    + "' serves at most " + MAX_DIMENSIONS + " dimensions.").withParam("dimensions");
        }
        simulateLatency(call);
        EmbeddingInput input = r.input();
        List<Embedding> data = new ArrayList<>(input.size());
        int tokens = 0;
        MessageDigest sha = sha256();
        for (int i = 0; i < input.size(); i++) {
            sha.update(call.providerModel().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            if (input.isTokens()) {
                int[] ids = input.tokens(i);
                ByteBuffer b = ByteBuffer.allocate(ids.length * 4);
                b.asIntBuffer().put(ids);
                sha.update((byte) 't');
                sha.update(b.array());
                tokens += ids.length;
            } else {
                String text = input.text(i);
                sha.update((byte) 's');
                sha.update(text.getBytes(StandardCharsets.UTF_8));
                tokens += Math.max(1, (text.length() + 3) / 4);
            }
            data.add(Embedding.of(i, vector(ByteBuffer.wrap(sha.digest()).getLong(), dimensions)));
        }
        return new EmbeddingResponse(call.providerModel(), data, tokens, tokens, Map.of());
    }

    /** {@code dimensions} values drawn from {@code seed}, scaled to unit length (a prefix of any longer vector). */
    static float[] vector(long seed, int dimensions) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] raw = new double[dimensions];
        double norm = 0;
        for (int d = 0; d < dimensions; d++) {
            raw[d] = random.nextDouble(-1.0, 1.0);
            norm += raw[d] * raw[d];
        }
        norm = Math.sqrt(norm);
        float[] out = new float[dimensions];
        for (int d = 0; d < dimensions; d++) {
            out[d] = (float) (norm == 0 ? 0 : raw[d] / norm);
        }
        return out;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }

    /** Waits the configured latency, but like a real upstream no longer than the call allows. */
    private void simulateLatency(UpstreamCall call) throws Exception {
        java.time.Duration latency = config().latency();
        boolean timesOut = latency.compareTo(call.timeout()) > 0;
        call.upstream(() -> {
            sleeper.sleep(timesOut ? call.timeout() : latency);
            return null;
        });
        if (timesOut) {
            throw new java.net.http.HttpTimeoutException("mock latency exceeds the call timeout");
        }
    }

    private record Answer(String text, JsonNode toolCalls, String finishReason, int tokens) {
    }

    private static Answer answer(ChatRequest r, long seed) {
        String forcedTool = forcedTool(r);
        if (forcedTool != null) {
            ObjectNode call = JsonNodeFactory.instance.objectNode();
            call.put("id", "call_" + Long.toHexString(seed & 0xffffffffL));
            call.put("type", "function");
            call.putObject("function").put("name", forcedTool).put("arguments", "{}");
            ArrayNode calls = JsonNodeFactory.instance.arrayNode().add(call);
            return new Answer(null, calls, "tool_calls", 8);
        }
        String prompt = lastUserText(r);
        List<String> out = new ArrayList<>();
        out.add("Mock");
        out.add("answer");
        out.add("to:");
        String[] quoted = prompt.isBlank() ? new String[0] : prompt.strip().split("\\s+");
        for (int i = 0; i < Math.min(QUOTED_WORDS, quoted.length); i++) {
            out.add(quoted[i]);
        }
        if (quoted.length > QUOTED_WORDS) {
            out.add("...");
        }
        SplittableRandom random = new SplittableRandom(seed);
        int extra = 8 + random.nextInt(24);
        for (int i = 0; i < extra; i++) {
            out.add(WORDS[random.nextInt(WORDS.length)]);
        }
        String finish = "stop";
        Integer limit = r.tokenLimit();
        if (limit != null && out.size() > limit) {
            out = out.subList(0, limit);
            finish = "length";
        }
        String text = String.join(" ", out) + (finish.equals("stop") ? "." : "");
        for (String stop : r.stop()) {
            int at = stop.isEmpty() ? -1 : text.indexOf(stop);
            if (at >= 0) {
                text = text.substring(0, at);
                finish = "stop";
            }
        }
        int tokens = text.isEmpty() ? 0 : text.split(" ").length;
        return new Answer(text, null, finish, tokens);
    }

    private static String forcedTool(ChatRequest r) {
        JsonNode choice = r.toolChoice();
        if (choice == null || r.tools() == null || r.tools().isEmpty()) {
            return null;
        }
        if (choice.isObject()) {
            String name = choice.path("function").path("name").asText("");
            return name.isEmpty() ? null : name;
        }
        if (choice.isTextual() && choice.textValue().equals("required")) {
            return r.tools().get(0).path("function").path("name").asText("tool");
        }
        return null;
    }

    private static JsonNode indexed(JsonNode toolCalls) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        int i = 0;
        for (JsonNode c : toolCalls) {
            ObjectNode copy = ((ObjectNode) c).deepCopy();
            copy.put("index", i++);
            out.add(copy);
        }
        return out;
    }

    private static String lastUserText(ChatRequest r) {
        List<ChatMessage> messages = r.messages();
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role() == Role.USER) {
                return messages.get(i).text();
            }
        }
        return messages.get(messages.size() - 1).text();
    }

    static int promptTokens(ChatRequest r) {
        int tokens = 3;
        for (ChatMessage m : r.messages()) {
            tokens += 4 + (m.text().length() + 3) / 4;
        }
        return tokens;
    }

    private static long seedOf(ChatRequest r, String model) {
        long h = 1125899906842597L;
        h = 31 * h + model.hashCode();
        for (ChatMessage m : r.messages()) {
            h = 31 * h + m.role().ordinal();
            h = 31 * h + m.text().hashCode();
        }
        h = 31 * h + (r.seed() == null ? 0 : r.seed());
        h = 31 * h + (r.temperature() == null ? 0 : Double.hashCode(r.temperature()));
        return h;
    }

    private static String id(long seed) {
        return "chatcmpl-mock" + HexFormat.of().toHexDigits(seed);
    }

    private static JsonNode nullNode() {
        return JsonNodeFactory.instance.nullNode();
    }
}
