package io.switchboard.bench.jmh;

import io.switchboard.bench.harness.MockUpstreamBodies;
import io.switchboard.core.Ticker;
import io.switchboard.core.cache.CanonicalRequests;
import io.switchboard.core.cache.L1Cache;
import io.switchboard.core.http.BufferedResponse;
import io.switchboard.core.stream.Chunk;
import io.switchboard.core.stream.EventStreamWriter;
import io.switchboard.shared.chat.ChatRequest;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.json.ChatJson;
import io.switchboard.shared.json.ChatRequestReader;
import io.switchboard.shared.json.ChatResponseReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
 * The request path's pieces, one at a time: parse the request body, derive the canonical cache key, look a key up in
 * L1, parse the provider's answer, write the answer, encode a streamed answer as SSE. Small (~200 B) and large
 * (~10 KB) prompts.
 *
 * <pre>java -cp bench/target/switchboard-bench.jar org.openjdk.jmh.Main 'io.switchboard.bench.jmh.*'</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RequestPathBench {
    @Param({"200", "10000"})
    public int promptBytes;

    private byte[] body;
    private ChatRequest request;
    private byte[] upstream;
    private ChatResponse response;
    private L1Cache l1;
    private String key;

    @Setup
    public void setUp() {
        body = MockUpstreamBodies.request(promptBytes).getBytes(StandardCharsets.UTF_8);
        request = ChatRequestReader.read(body);
        upstream = MockUpstreamBodies.completion(256).getBytes(StandardCharsets.UTF_8);
        response = ChatResponseReader.read(upstream);
        l1 = new L1Cache(32 << 20, Duration.ofSeconds(60), Ticker.system());
        key = "sb:v1:e:bench:default:" + CanonicalRequests.digest("up", "model-x", request);
        l1.put(key, upstream, Duration.ofSeconds(60));
    }

    @Benchmark
    public ChatRequest parseRequest() {
        return ChatRequestReader.read(body);
    }

    @Benchmark
    public String canonicalKey() {
        return CanonicalRequests.digest("up", "model-x", request);
    }

    @Benchmark
    public byte[] l1Lookup() {
        return l1.get(key);
    }

    @Benchmark
    public ChatResponse parseUpstreamAnswer() {
        return ChatResponseReader.read(upstream);
    }

    @Benchmark
    public byte[] serializeAnswer() {
        return ChatJson.writeResponse(response);
    }

    @Benchmark
    public byte[] sseEncode() {
        BufferedResponse out = new BufferedResponse();
        EventStreamWriter sse = new EventStreamWriter(out, java.util.Map::of, System::nanoTime, false, Long.MAX_VALUE);
        String text = response.choices().get(0).message().text();
        int per = Math.max(1, text.length() / 8);
        sse.chunk(Chunk.of(ChatJson.writeChunk(response.id(), response.created(), response.model(), 0, "assistant", "",
                null, null, null)));
        for (int i = 0; i < text.length(); i += per) {
            sse.chunk(Chunk.of(ChatJson.writeChunk(response.id(), response.created(), response.model(), 0, null,
                    text.substring(i, Math.min(text.length(), i + per)), null, null, null)));
        }
        sse.chunk(Chunk.of(ChatJson.writeChunk(response.id(), response.created(), response.model(), 0, null, null, null,
                "stop", null)));
        sse.done();
        return out.response().body();
    }
}
