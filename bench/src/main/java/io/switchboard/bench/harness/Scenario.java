package io.switchboard.bench.harness;

/**
 * One cell of the matrix: the mock's behaviour, the prompt, streaming or not, the concurrency and the requests each
 * driver thread sends to each target per round.
 *
 * @param name key in the results ({@code 0ms-small-c8}…)
 * @param mock how the mock upstream answers
 * @param promptBytes approximate size of the request body
 * @param stream whether the request asks for an event stream
 * @param concurrency driver threads
 * @param perThread requests per thread per target per round
 */
record Scenario(String name, MockUpstream.Options mock, int promptBytes, boolean stream, int concurrency,
        int perThread) {

    static Scenario of(int latencyMs, int promptBytes, boolean stream, int concurrency, int perTarget) {
        MockUpstream.Options o = stream ? new MockUpstream.Options(latencyMs, 1024, 8, 5)
                : new MockUpstream.Options(latencyMs, 256, 8, 0);
        String name = latencyMs + "ms-" + (promptBytes > 1000 ? "large" : "small") + (stream ? "-stream" : "")
                + "-c" + concurrency;
        return new Scenario(name, o, promptBytes, stream, concurrency, Math.max(1, perTarget / concurrency));
    }

    /** The body, about {@code promptBytes} long, with {@code %MODEL%} in place of the model. */
    String body() {
        String head = "{\"model\":\"%MODEL%\",\"temperature\":0.7,\"max_tokens\":64,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"system\",\"content\":\"You are a concise assistant.\"},"
                + "{\"role\":\"user\",\"content\":\"";
        String tail = "\"}]}";
        StringBuilder text = new StringBuilder();
        String words = "Summarise the benefits of an LLM gateway. ";
        int want = Math.max(16, promptBytes - head.length() - tail.length());
        while (text.length() < want) {
            text.append(words, 0, Math.min(words.length(), want - text.length()));
        }
        return head + text + tail;
    }
}
