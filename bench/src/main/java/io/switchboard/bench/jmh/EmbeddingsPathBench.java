package io.switchboard.bench.jmh;

import io.switchboard.core.cache.CanonicalRequests;
import io.switchboard.shared.embeddings.Embedding;
import io.switchboard.shared.embeddings.EmbeddingRequest;
import io.switchboard.shared.embeddings.EmbeddingResponse;
import io.switchboard.shared.embeddings.EncodingFormat;
import io.switchboard.shared.json.EmbeddingJson;
import io.switchboard.shared.json.EmbeddingRequestReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.StringJoiner;
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
 * The embeddings path's pieces and their sum: parse the request body, derive the canonical cache key, write the
 * answer (vectors as numbers, or as base64), read a provider's answer in either encoding (a miss reads the provider's,
 * a float hit reads the stored base64 form). One or 16 inputs of ~200 B, 1536 dimensions (text-embedding-3-small).
 *
 * <pre>java -cp bench/target/switchboard-bench.jar org.openjdk.jmh.Main 'io.switchboard.bench.jmh.EmbeddingsPathBench'</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EmbeddingsPathBench {
    private static final int DIMENSIONS = 1536;

    @Param({"1", "16"})
    public int inputs;

    private byte[] body;
    private EmbeddingRequest request;
    private EmbeddingResponse response;
    private byte[] upstreamFloat;
    private byte[] storedBase64;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(7);
        StringJoiner items = new StringJoiner(",", "[", "]");
        List<Embedding> data = new ArrayList<>();
        for (int i = 0; i < inputs; i++) {
            StringBuilder text = new StringBuilder();
            while (text.length() < 200) {
                text.append("word").append(random.nextInt(10_000)).append(' ');
            }
            items.add("\"" + text.toString().strip() + "\"");
            float[] v = new float[DIMENSIONS];
            for (int d = 0; d < DIMENSIONS; d++) {
                v[d] = (float) (random.nextGaussian() * 0.03); // the spread of a unit vector's values
            }
            data.add(Embedding.of(i, v));
        }
        body = ("{\"model\":\"text-embedding-3-small\",\"input\":" + items + ",\"encoding_format\":\"float\"}")
                .getBytes(StandardCharsets.UTF_8);
        request = EmbeddingRequestReader.read(body);
        response = new EmbeddingResponse("text-embedding-3-small", data, 50 * inputs, 50 * inputs, Map.of());
        upstreamFloat = EmbeddingJson.writeResponse(response, EncodingFormat.FLOAT);
        storedBase64 = EmbeddingJson.writeResponse(response, EncodingFormat.BASE64);
    }

    @Benchmark
    public EmbeddingRequest parseRequest() {
        return EmbeddingRequestReader.read(body);
    }

    @Benchmark
    public String canonicalKey() {
        return CanonicalRequests.digest("openai", "text-embedding-3-small", request);
    }

    @Benchmark
    public byte[] writeFloat() {
        return EmbeddingJson.writeResponse(response, EncodingFormat.FLOAT);
    }

    @Benchmark
    public byte[] writeBase64() {
        return EmbeddingJson.writeResponse(response, EncodingFormat.BASE64);
    }

    @Benchmark
    public EmbeddingResponse readUpstreamFloat() {
        return EmbeddingJson.readResponse(upstreamFloat, "m");
    }

    @Benchmark
    public EmbeddingResponse readStoredBase64() {
        return EmbeddingJson.readResponse(storedBase64, "m");
    }

    /** What the gateway adds to a float request besides the provider and the cache: parse, key, write. */
    @Benchmark
    public byte[] parseKeyWriteFloat() {
        EmbeddingRequest r = EmbeddingRequestReader.read(body);
        CanonicalRequests.digest("openai", "text-embedding-3-small", r);
        return EmbeddingJson.writeResponse(response, EncodingFormat.FLOAT);
    }

    /** The same for a base64 request. */
    @Benchmark
    public byte[] parseKeyWriteBase64() {
        EmbeddingRequest r = EmbeddingRequestReader.read(body);
        CanonicalRequests.digest("openai", "text-embedding-3-small", r);
        return EmbeddingJson.writeResponse(response, EncodingFormat.BASE64);
    }
}
