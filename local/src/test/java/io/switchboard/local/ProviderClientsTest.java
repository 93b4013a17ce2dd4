package io.switchboard.local;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.core.provider.anthropic.FakeAnthropicServer;
import io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime;
import io.switchboard.core.provider.bedrock.testing.FakeEmbeddings;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official OpenAI Python client, unmodified ({@code local/clients/providers.py}), gets answers, tool calls, finish
 * reasons, usage and streams from an Anthropic model and from a Bedrock model through the local run: the gateway is
 * configured with an {@code anthropic} provider whose base URL is a loopback {@link FakeAnthropicServer} and a
 * {@code bedrock} provider whose endpoint ({@code AWS_ENDPOINT_URL_BEDROCK_RUNTIME}) is a loopback
 * {@link FakeBedrockRuntime}, signing with static keys. Each fake answers in its own wire format: a tool call when the
 * request offers tools, else a text, streamed when a stream is asked for.
 *
 * <p>The Python client comes from {@code local/clients/.venv} as in {@link OpenAiClientsTest} (made and pip-installed
 * from {@code requirements.txt} when missing), or from {@code SWITCHBOARD_OPENAI_PYTHON}; the test is skipped, saying
 * why, only when the client cannot be installed.
 */
class ProviderClientsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration CLIENT_TIMEOUT = Duration.ofMinutes(3);
    private static final String ANTHROPIC_KEY = "sk-ant-local-fake-2c9d";
    private static final String CLAUDE_ID = "claude-sonnet-4-5";
    private static final String NOVA_ID = "amazon.nova-lite-v1:0";
    private static final String REGION = "us-west-2";
    private static final String TITAN_ID = "amazon.titan-embed-text-v2:0";
    private static final String COHERE_ID = "cohere.embed-english-v3";
    private static final String OPENAI_EMBEDDING_ID = "text-embedding-3-small";
    private static final String OPENAI_KEY = "sk-openai-local-fake-77e1";
    private static final String TOOL = "get_weather";
    private static final String ARGUMENTS = "{\"city\": \"Paris\"}";
    private static final List<String> ARGUMENT_PIECES = List.of("{\"ci", "ty\": \"Pa", "ris\"}");

    /** What each model answers, and the figures the client must see. */
    private record Script(String alias, String text, List<String> pieces, int prompt, int completion, String toolId,
            int toolPrompt, int toolCompletion) {
    }

    private static final Script CLAUDE = new Script("claude", "Sunny, 18 °C in Paris.",
            List.of("Sunny, ", "18 °C ", "in Paris."), 21, 9, "toolu_01A09q90qw90lq917835lq9", 30, 12);
    private static final Script NOVA = new Script("nova", "Cloudy, 14 °C in Paris, light rain later.",
            List.of("Cloudy, ", "14 °C in Paris", ", light rain later."), 17, 11, "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
            40, 15);

    private final Path clients = Project.dir().resolve("local").resolve("clients");
    private FakeAnthropicServer anthropic;
    private FakeBedrockRuntime bedrock;
    private HttpServer openAi;
    private final List<String> openAiAuth = new java.util.concurrent.CopyOnWriteArrayList<>();
    private LocalGateway gateway;
    @TempDir
    Path tmp;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (anthropic != null) {
            anthropic.close();
        }
        if (openAi != null) {
            openAi.stop(0);
        }
        if (bedrock != null) {
            bedrock.close();
        }
    }

    @Test
    void officialPythonClient_anthropicAndBedrockModels() throws Exception {
        String python = pythonWithOpenAi();
        startFakes();
        String config = """
                {"providers": {
                   "anthropic": {"type": "anthropic", "baseUrl": "%s", "apiKey": "env:ANTHROPIC_API_KEY"},
                   "bedrock": {"type": "bedrock", "region": "%s"},
                   "openai": {"type": "openai", "baseUrl": "%s", "apiKey": "env:OPENAI_API_KEY"}},
                 "models": {"claude": "anthropic/%s", "nova": "bedrock/%s",
                   "titan": "bedrock/%s", "cohere": "bedrock/%s", "te3": "openai/%s"}}
                """.formatted(anthropic.baseUrl(), REGION, openAiEmbeddingsBaseUrl(), CLAUDE_ID, NOVA_ID, TITAN_ID,
                COHERE_ID, OPENAI_EMBEDDING_ID);
        Map<String, String> env = new HashMap<>();
        env.put("SWITCHBOARD_CONFIG", config);
        env.put("SWITCHBOARD_CACHE", "off");
        env.put("SWITCHBOARD_METRICS", "off");
        env.put("ANTHROPIC_API_KEY", ANTHROPIC_KEY);
        env.put("OPENAI_API_KEY", OPENAI_KEY);
        env.put("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", bedrock.endpoint().toString());
        env.put("AWS_ACCESS_KEY_ID", "AKIDLOCALFAKE");
        env.put("AWS_SECRET_ACCESS_KEY", "local-fake-secret");
        env.put("AWS_REGION", REGION);
        gateway = LocalGateway.start(Project.template(), 0, env, Map.of());
        warmUp("http://127.0.0.1:" + gateway.port());

        JsonNode summary = runClient(List.of(python, "providers.py", "http://127.0.0.1:" + gateway.port(),
                CLAUDE.alias(), NOVA.alias()), Map.of("SWITCHBOARD_EMBEDDING_MODELS", "titan,cohere,te3"));

        assertEquals("openai-python", summary.path("client").asText());
        String all = summary.toPrettyString();
        assertModel(summary.path("models").path("claude"), CLAUDE, all);
        assertModel(summary.path("models").path("nova"), NOVA, all);
        assertEquals(List.of(), anthropic.failures());
        assertEquals(List.of(), bedrock.failures());

        // what the upstreams were asked: the provider's model ids, the forced tool, the credentials
        List<FakeAnthropicServer.Recorded> a = anthropic.requests();
        assertEquals(4, a.size(), "one Messages call per client call");
        for (FakeAnthropicServer.Recorded r : a) {
            assertEquals(CLAUDE_ID, r.json().path("model").asText());
            assertEquals(ANTHROPIC_KEY, r.header("x-api-key"));
        }
        assertEquals(List.of(false, false, true, true), a.stream().map(FakeAnthropicServer.Recorded::stream).toList());
        assertEquals("tool", a.get(1).json().path("tool_choice").path("type").asText());
        assertEquals(TOOL, a.get(1).json().path("tool_choice").path("name").asText());
        List<FakeBedrockRuntime.Recorded> b = bedrock.requests().stream()
                .filter(r -> !"invoke".equals(r.operation())).toList();
        assertEquals(4, b.size(), "one Converse or ConverseStream call per client call");
        assertEquals(List.of("converse", "converse", "converse-stream", "converse-stream"),
                b.stream().map(FakeBedrockRuntime.Recorded::operation).toList());
        for (FakeBedrockRuntime.Recorded r : b) {
            assertEquals(NOVA_ID, r.modelId());
            String auth = String.valueOf(r.header("authorization"));
            assertTrue(auth.startsWith("AWS4-HMAC-SHA256 Credential=AKIDLOCALFAKE/")
                    && auth.contains("/" + REGION + "/bedrock/aws4_request"), auth);
        }
        assertEquals(TOOL, b.get(1).json().path("toolConfig").path("toolChoice").path("tool").path("name").asText());

        // embeddings from both provider kinds: Bedrock's (Titan, Cohere) and an OpenAI-compatible one
        List<String> texts = new ArrayList<>();
        summary.path("texts").forEach(t -> texts.add(t.asText()));
        int titanTokens = texts.stream().mapToInt(String::length).sum();
        assertEmbeddings(summary.path("embeddings").path("titan"), texts, 1024, titanTokens, all);
        assertEmbeddings(summary.path("embeddings").path("cohere"), texts, 1024, 2 * texts.size(), all);
        assertEmbeddings(summary.path("embeddings").path("te3"), texts, 8, 7, all);
        assertEquals(List.of("invoke", "invoke", "invoke", "invoke", "invoke", "invoke"),
                bedrock.requests().stream().map(FakeBedrockRuntime.Recorded::operation)
                        .filter("invoke"::equals).toList(),
                "Titan: one InvokeModel per text, Cohere: one per batch, twice each");
        assertEquals(List.of("Bearer " + OPENAI_KEY, "Bearer " + OPENAI_KEY), openAiAuth);
    }

    private static void assertEmbeddings(JsonNode e, List<String> texts, int dimensions, int tokens, String all) {
        assertTrue(e.path("ok").asBoolean(), () -> "embeddings failed: " + e + "\n" + all);
        assertEquals("list", e.path("object").asText(), all);
        assertEquals(tokens, e.path("usage").path("prompt_tokens").asInt(-1), all);
        assertEquals(tokens, e.path("usage").path("total_tokens").asInt(-1), all);
        for (String format : List.of("base64", "float")) {
            JsonNode f = e.path(format);
            assertEquals(texts.size(), f.path("count").asInt(), all);
            for (int i = 0; i < texts.size(); i++) {
                assertEquals(i, f.path("indexes").path(i).asInt(-1), all);
                assertEquals(dimensions, f.path("dimensions").path(i).asInt(), all);
                assertEquals(FakeEmbeddings.seed(texts.get(i)), f.path("heads").path(i).asDouble(), 1e-6,
                        () -> format + ": each vector is its own text's: " + all);
            }
        }
    }

    /**
     * A loopback OpenAI-compatible {@code POST /v1/embeddings}: 8-value vectors whose first value is
     * {@link FakeEmbeddings#seed} of the text, as floats (the gateway writes the caller's encoding), 7 tokens.
     */
    private String openAiEmbeddingsBaseUrl() throws IOException {
        openAi = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        openAi.createContext("/v1/embeddings", ex -> {
            JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
            openAiAuth.add(ex.getRequestHeaders().getFirst("authorization"));
            StringBuilder data = new StringBuilder();
            int i = 0;
            for (JsonNode t : body.path("input")) {
                data.append(i == 0 ? "" : ",").append("{\"object\":\"embedding\",\"index\":").append(i++)
                        .append(",\"embedding\":[").append(FakeEmbeddings.seed(t.asText()))
                        .append(",0.1,0.2,0.3,0.4,0.5,0.6,0.7]}");
            }
            byte[] out = ("{\"object\":\"list\",\"data\":[" + data + "],\"model\":\"" + OPENAI_EMBEDDING_ID
                    + "\",\"usage\":{\"prompt_tokens\":7,\"total_tokens\":7}}").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("content-type", "application/json");
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        openAi.start();
        return "http://127.0.0.1:" + openAi.getAddress().getPort() + "/v1";
    }

    private static void assertModel(JsonNode m, Script s, String all) throws IOException {
        JsonNode args = JSON.readTree(ARGUMENTS);
        String who = s.alias() + ": ";
        JsonNode plain = m.path("plain");
        JsonNode tool = m.path("tool");
        JsonNode stream = m.path("stream");
        JsonNode toolStream = m.path("tool_stream");
        List<Executable> checks = new ArrayList<>();
        for (var call : Map.of("plain", plain, "tool", tool, "stream", stream, "tool_stream", toolStream).entrySet()) {
            checks.add(() -> assertTrue(call.getValue().path("ok").asBoolean(),
                    who + call.getKey() + " failed: " + call.getValue()));
        }
        assertAll(who + "every call succeeds", checks);

        // a plain answer
        assertEquals("chat.completion", plain.path("object").asText(), all);
        assertEquals("assistant", plain.path("role").asText(), all);
        assertEquals(s.text(), plain.path("content").asText(), all);
        assertTrue(plain.path("tool_calls").isEmpty(), all);
        assertEquals("stop", plain.path("finish_reason").asText(), all);
        assertUsage(plain.path("usage"), s.prompt(), s.completion(), who + "plain usage: " + all);

        // a forced tool call
        assertEquals("tool_calls", tool.path("finish_reason").asText(), all);
        assertTrue(tool.path("content").isNull() || tool.path("content").asText().isEmpty(), all);
        assertEquals(1, tool.path("tool_calls").size(), all);
        JsonNode call = tool.path("tool_calls").path(0);
        assertEquals(s.toolId(), call.path("id").asText(), all);
        assertEquals("function", call.path("type").asText(), all);
        assertEquals(TOOL, call.path("name").asText(), all);
        assertEquals(args, call.path("arguments_json"), all);
        assertUsage(tool.path("usage"), s.toolPrompt(), s.toolCompletion(), who + "tool usage: " + all);

        // a stream with include_usage
        assertEquals(1, stream.path("ids").asInt(), () -> who + "one id per stream: " + all);
        assertEquals(JSON.readTree("[\"assistant\"]"), stream.path("roles"), all);
        List<String> deltas = new ArrayList<>();
        stream.path("deltas").forEach(d -> deltas.add(d.asText()));
        assertTrue(deltas.stream().filter(d -> !d.isEmpty()).count() >= 2, () -> who + "content in pieces: " + all);
        assertEquals(s.text(), String.join("", deltas), all);
        assertEquals(s.text(), stream.path("content").asText(), all);
        assertTrue(stream.path("tool_calls").isEmpty(), all);
        assertEquals("stop", stream.path("finish_reason").asText(), all);
        assertUsage(stream.path("usage"), s.prompt(), s.completion(), who + "stream usage: " + all);
        assertFalse(stream.path("usage_chunk_has_choices").asBoolean(true),
                () -> who + "the usage chunk has no choices: " + all);

        // the forced tool call streamed
        assertEquals("tool_calls", toolStream.path("finish_reason").asText(), all);
        assertEquals(1, toolStream.path("tool_calls").size(), all);
        JsonNode streamedCall = toolStream.path("tool_calls").path(0);
        assertEquals(s.toolId(), streamedCall.path("id").asText(), all);
        assertEquals(TOOL, streamedCall.path("name").asText(), all);
        assertEquals(args, streamedCall.path("arguments_json"), all);
        assertTrue(streamedCall.path("pieces").asInt() >= 2, () -> who + "arguments in fragments: " + all);
        assertUsage(toolStream.path("usage"), s.toolPrompt(), s.toolCompletion(), who + "tool stream usage: " + all);
    }

    private static void assertUsage(JsonNode usage, int prompt, int completion, String message) {
        assertEquals(prompt, usage.path("prompt_tokens").asInt(-1), message);
        assertEquals(completion, usage.path("completion_tokens").asInt(-1), message);
        assertEquals(prompt + completion, usage.path("total_tokens").asInt(-1), message);
    }

    /**
     * Runs the completion function's init phase before the client's first call, with a call of a model no provider
     * serves (nothing reaches the fakes). The init primes both providers (SDK clients, Netty, translation samples);
     * on a loaded machine a cold JVM can take longer than the local run's 10-second init limit, and an environment
     * whose init timed out is discarded and the next one initialises in a warm JVM: what this test checks is what the
     * client gets, not how long a cold start takes (the cold-start tests measure that).
     */
    private static void warmUp(String url) throws Exception {
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build()) {
            int status = -1;
            for (int attempt = 1; attempt <= 3; attempt++) {
                long t0 = System.nanoTime();
                status = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url
                                + "/v1/chat/completions")).timeout(Duration.ofSeconds(60))
                        .header("authorization", "Bearer " + LocalGateway.DEFAULT_DEV_KEY)
                        .header("content-type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\":\"warm-up-no-such-model\","
                                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
                System.out.printf("warm-up call %d: HTTP %d in %d ms%n", attempt, status,
                        (System.nanoTime() - t0) / 1_000_000);
                if (status != 500) {
                    break;
                }
            }
            assertEquals(404, status, "the warm-up call's unknown model");
        }
    }

    // ---------------------------------------------------------------- the fakes' answers

    private void startFakes() throws IOException {
        anthropic = FakeAnthropicServer.start();
        anthropic.respond(r -> {
            boolean tools = r.json().path("tools").isArray();
            if (tools) {
                return r.stream()
                        ? FakeAnthropicServer.Reply.sse(FakeAnthropicServer.toolStream(null, CLAUDE.toolId(), TOOL,
                                ARGUMENT_PIECES, CLAUDE.toolPrompt(), CLAUDE.toolCompletion()))
                        : FakeAnthropicServer.Reply.json(200, FakeAnthropicServer.message(List.of(
                                FakeAnthropicServer.toolUse(CLAUDE.toolId(), TOOL, ARGUMENTS)), "tool_use",
                                FakeAnthropicServer.usage(CLAUDE.toolPrompt(), 0, 0, CLAUDE.toolCompletion())));
            }
            return r.stream()
                    ? FakeAnthropicServer.Reply.sse(FakeAnthropicServer.textStream(CLAUDE.pieces(), "end_turn",
                            CLAUDE.prompt(), CLAUDE.completion()))
                    : FakeAnthropicServer.Reply.json(200, FakeAnthropicServer.message(List.of(
                            FakeAnthropicServer.text(CLAUDE.text())), "end_turn",
                            FakeAnthropicServer.usage(CLAUDE.prompt(), 0, 0, CLAUDE.completion())));
        });
        bedrock = FakeBedrockRuntime.start();
        bedrock.respond(r -> {
            if ("invoke".equals(r.operation())) {
                return FakeEmbeddings.answer(r);
            }
            boolean tools = r.json().has("toolConfig");
            boolean stream = "converse-stream".equals(r.operation());
            if (tools && stream) {
                List<FakeBedrockRuntime.Frame> f = new ArrayList<>();
                f.add(FakeBedrockRuntime.messageStart());
                f.add(FakeBedrockRuntime.toolStart(0, NOVA.toolId(), TOOL));
                ARGUMENT_PIECES.forEach(p -> f.add(FakeBedrockRuntime.toolInput(0, p)));
                f.add(FakeBedrockRuntime.blockStop(0));
                f.add(FakeBedrockRuntime.messageStop("tool_use"));
                f.add(FakeBedrockRuntime.metadata(NOVA.toolPrompt(), NOVA.toolCompletion(), -1, -1));
                return FakeBedrockRuntime.Reply.stream(f);
            }
            if (tools) {
                return FakeBedrockRuntime.Reply.json(200, "{\"output\":{\"message\":{\"role\":\"assistant\","
                        + "\"content\":[{\"toolUse\":{\"toolUseId\":" + FakeBedrockRuntime.quote(NOVA.toolId())
                        + ",\"name\":\"" + TOOL + "\",\"input\":" + ARGUMENTS + "}}]}},\"stopReason\":\"tool_use\","
                        + "\"usage\":" + FakeBedrockRuntime.usage(NOVA.toolPrompt(), NOVA.toolCompletion(), -1, -1)
                        + ",\"metrics\":{\"latencyMs\":350}}");
            }
            if (stream) {
                List<FakeBedrockRuntime.Frame> f = new ArrayList<>();
                f.add(FakeBedrockRuntime.messageStart());
                NOVA.pieces().forEach(p -> f.add(FakeBedrockRuntime.text(0, p)));
                f.add(FakeBedrockRuntime.blockStop(0));
                f.add(FakeBedrockRuntime.messageStop("end_turn"));
                f.add(FakeBedrockRuntime.metadata(NOVA.prompt(), NOVA.completion(), -1, -1));
                return FakeBedrockRuntime.Reply.stream(f);
            }
            return FakeBedrockRuntime.Reply.json(200, FakeBedrockRuntime.converseText(NOVA.text(), "end_turn",
                    NOVA.prompt(), NOVA.completion()));
        });
    }

    // ---------------------------------------------------------------- the Python client (as OpenAiClientsTest)

    /** An interpreter that imports the official client: the override, else local/clients/.venv, made if need be. */
    private String pythonWithOpenAi() throws Exception {
        String override = System.getenv("SWITCHBOARD_OPENAI_PYTHON");
        if (override != null && !override.isBlank()) {
            skipUnless(importsOpenAi(override), "SWITCHBOARD_OPENAI_PYTHON=" + override + " cannot import openai");
            return override;
        }
        Path venv = clients.resolve(".venv");
        String venvPython = venv.resolve("bin").resolve("python").toString();
        if (Files.isExecutable(Path.of(venvPython)) && importsOpenAi(venvPython)) {
            return venvPython;
        }
        skipUnless(onPath("python3"), "python3 is not installed: the official Python client cannot be run here");
        Result made = run(List.of("python3", "-m", "venv", "--clear", venv.toString()), Map.of(), INSTALL_TIMEOUT);
        skipUnless(made.exit == 0, () -> "python3 -m venv failed (exit " + made.exit + "), so the official Python "
                + "client cannot be installed:\n" + made.tail());
        Result pip = run(List.of(venvPython, "-m", "pip", "install", "--disable-pip-version-check", "--retries", "0",
                "--only-binary=:all:", "-r", "requirements.txt"), Map.of(), INSTALL_TIMEOUT);
        skipUnless(pip.exit == 0 && importsOpenAi(venvPython), () -> "pip could not install local/clients/"
                + "requirements.txt (exit " + pip.exit + "), so the official Python client is not installed; set "
                + "SWITCHBOARD_OPENAI_PYTHON to an interpreter that imports openai to run it anyway:\n" + pip.tail());
        return venvPython;
    }

    private boolean importsOpenAi(String python) throws Exception {
        try {
            return run(List.of(python, "-c", "import openai"), Map.of(), Duration.ofSeconds(60)).exit == 0;
        } catch (IOException notRunnable) {
            return false;
        }
    }

    /** Runs the client script and returns the JSON summary it printed. */
    private JsonNode runClient(List<String> command, Map<String, String> extraEnv) throws Exception {
        Map<String, String> clientEnv = new HashMap<>(extraEnv);
        clientEnv.put("SWITCHBOARD_API_KEY", LocalGateway.DEFAULT_DEV_KEY);
        clientEnv.put("PYTHONDONTWRITEBYTECODE", "1");
        clientEnv.put("PYTHONIOENCODING", "utf-8");
        // Everything is on loopback: a proxy configured for the machine must not be asked for it.
        String noProxy = System.getenv().getOrDefault("NO_PROXY", System.getenv().getOrDefault("no_proxy", ""));
        noProxy = (noProxy.isBlank() ? "" : noProxy + ",") + "127.0.0.1,localhost";
        clientEnv.put("NO_PROXY", noProxy);
        clientEnv.put("no_proxy", noProxy);
        Result r = run(command, clientEnv, CLIENT_TIMEOUT);
        assertEquals(0, r.exit, () -> String.join(" ", command) + " failed:\n" + r.tail());
        String line = r.stdout.lines().filter(l -> l.startsWith("{")).reduce((x, y) -> y).orElse(null);
        assertTrue(line != null, () -> "no JSON summary from " + String.join(" ", command) + ":\n" + r.tail());
        System.out.printf("providers.py (%d ms): %s%n", r.millis, line);
        return JSON.readTree(line);
    }

    private static void skipUnless(boolean condition, String reason) {
        skipUnless(condition, () -> reason);
    }

    /** Skips with the reason on the console outside CI; in CI ({@code CI=true}) fails instead. */
    private static void skipUnless(boolean condition, Supplier<String> reason) {
        if (!condition) {
            String why = reason.get();
            if ("true".equals(System.getenv("CI"))) {
                // CI installs what these clients need: there a missing tool is a failure, never a silent skip
                throw new AssertionError("ProviderClientsTest cannot run in CI: " + why);
            }
            System.out.println("SKIPPED ProviderClientsTest: " + why);
            assumeTrue(false, why);
        }
    }

    private static boolean onPath(String exe) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, exe))) {
                return true;
            }
        }
        return false;
    }

    private record Result(int exit, String stdout, String stderr, long millis) {
        String tail() {
            String both = (stdout + "\n" + stderr).strip();
            return both.length() <= 4000 ? both : "..." + both.substring(both.length() - 4000);
        }
    }

    /** Runs a command in local/clients, output to files (no pipe to fill), killed with its children on timeout. */
    private Result run(List<String> command, Map<String, String> env, Duration timeout) throws Exception {
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(clients.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p = pb.start();
        int exit;
        if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            exit = p.exitValue();
        } else {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
            exit = -1;
            Files.writeString(err, "\n(killed after " + timeout + ")", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.APPEND);
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        return new Result(exit, Files.readString(out, StandardCharsets.UTF_8), Files.readString(err,
                StandardCharsets.UTF_8), millis);
    }
}
