package io.switchboard.bench.jmh;

import io.switchboard.shared.embeddings.EmbeddingRequest;
import io.switchboard.shared.json.EmbeddingRequestReader;
import io.switchboard.shared.json.Json;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The bedrock provider's embeddings translation, without the network: the InvokeModel body of a request for Titan
 * Text Embeddings V2 (one text, 1024 dimensions) and Cohere Embed v3 (a batch of 16 texts), written to bytes, and
 * the model's answer (1024 floats per text) read back into vectors. {@code EmbeddingFamily} is package-private; it
 * is reached through method handles looked up once.
 *
 * <pre>java -cp bench/target/switchboard-bench.jar org.openjdk.jmh.Main BedrockEmbeddingsBench</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BedrockEmbeddingsBench {
    private static final MethodHandle OF;
    private static final MethodHandle BODY;
    private static final MethodHandle READ;
    private static final MethodHandle VECTORS;

    static {
        try {
            Class<?> family = Class.forName("io.switchboard.core.provider.bedrock.EmbeddingFamily");
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(family, MethodHandles.lookup());
            OF = l.findStatic(family, "of", MethodType.methodType(family, String.class));
            BODY = l.findVirtual(family, "body", MethodType.methodType(
                    com.fasterxml.jackson.databind.node.ObjectNode.class, List.class, EmbeddingRequest.class));
            Class<?> answer = Class.forName("io.switchboard.core.provider.bedrock.EmbeddingFamily$Answer");
            READ = l.findStatic(family, "read", MethodType.methodType(answer, byte[].class, int.class));
            VECTORS = l.findVirtual(answer, "vectors", MethodType.methodType(List.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The model: Titan Text Embeddings V2 (one text per call) or Cohere Embed v3 (16 texts in one call). */
    @Param({"amazon.titan-embed-text-v2:0", "cohere.embed-english-v3"})
    public String model;

    private Object family;
    private List<String> texts;
    private EmbeddingRequest request;
    private byte[] answer;

    @Setup
    public void setUp() throws Throwable {
        family = OF.invoke(model);
        int n = model.startsWith("cohere") ? 16 : 1;
        texts = new ArrayList<>(n);
        StringBuilder input = new StringBuilder("{\"model\":\"e\",\"input\":[");
        for (int i = 0; i < n; i++) {
            String t = "The quick brown fox jumps over the lazy dog, sentence number " + i + " of the batch.";
            texts.add(t);
            input.append(i == 0 ? "" : ",").append('"').append(t).append('"');
        }
        request = EmbeddingRequestReader.read(input.append("]").append(n == 1 ? ",\"dimensions\":1024" : "")
                .append('}').toString().getBytes(StandardCharsets.UTF_8));
        Random random = new Random(7);
        StringBuilder a = new StringBuilder(n == 1 ? "{\"embedding\":" : "{\"embeddings\":[");
        for (int v = 0; v < n; v++) {
            a.append(v == 0 ? "" : ",").append('[');
            for (int i = 0; i < 1024; i++) {
                a.append(i == 0 ? "" : ",").append(random.nextFloat() * 2 - 1);
            }
            a.append(']');
        }
        a.append(n == 1 ? ",\"inputTextTokenCount\":17}" : "],\"id\":\"x\",\"response_type\":\"embeddings_floats\"}");
        answer = a.toString().getBytes(StandardCharsets.UTF_8);
        if (((List<?>) readAnswer()).size() != n) {
            throw new IllegalStateException("the sample answer does not read back");
        }
    }

    /** The InvokeModel body, as the bytes sent. */
    @Benchmark
    public byte[] writeRequest() throws Throwable {
        return Json.MAPPER.writeValueAsBytes(BODY.invoke(family, texts, request));
    }

    /** The answer's bytes into one float vector per text. */
    @Benchmark
    public Object readAnswer() throws Throwable {
        return VECTORS.invoke(READ.invoke(answer, texts.size()));
    }
}
