package io.switchboard.bench.harness;

/** The bodies the harness sends and the mock answers, for benchmarks outside this package. */
public final class MockUpstreamBodies {
    private MockUpstreamBodies() {
    }

    /** A chat completion request of about {@code bytes} bytes for model {@code model-x}. */
    public static String request(int bytes) {
        return Scenario.of(0, bytes, false, 1, 1).body().replace("%MODEL%", "model-x");
    }

    /** The mock's {@code chat.completion} with {@code contentBytes} of content. */
    public static String completion(int contentBytes) {
        return MockUpstream.completion(contentBytes);
    }
}
