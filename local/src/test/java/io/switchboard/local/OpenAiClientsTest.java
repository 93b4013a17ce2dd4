package io.switchboard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * The official OpenAI clients, unmodified, stream through the local run: {@code local/clients/stream.mjs} (the Node
 * client, pinned in {@code local/clients/package.json}) and {@code local/clients/stream.py} (the Python client, pinned
 * in {@code local/clients/requirements.txt}) are run against the local gateway on a free loopback port, and the JSON
 * summary each prints is checked: a stream with usage, a plain completion, a bad key raised as the client's
 * AuthenticationError, and embeddings that the client decodes from base64 (its default) equal to the same embeddings
 * asked as numbers.
 *
 * <p>Self-installing so that a fresh machine needs nothing from CI: when {@code local/clients/node_modules} is missing
 * the test runs {@code npm ci}; when {@code local/clients/.venv} is missing it creates that venv and pip-installs the
 * pinned requirements (only wheels; whatever package index pip is configured with). Either test is skipped, saying why,
 * when its runtime is absent or the install fails. {@code SWITCHBOARD_OPENAI_PYTHON} may name a Python interpreter that
 * already imports {@code openai}, to use instead of the venv.
 */
class OpenAiClientsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Time to first token of the mock provider; the clients must see at least this before their first chunk. */
    private static final int MOCK_LATENCY_MS = 150;
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration CLIENT_TIMEOUT = Duration.ofMinutes(2);

    private final Path clients = Project.dir().resolve("local").resolve("clients");
    private LocalGateway gateway;
    @TempDir
    Path tmp;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void officialNodeClient_streamsThroughLocalGateway() throws Exception {
        skipUnless(onPath("node"), "node is not installed: the official Node client cannot be run here");
        if (!Files.isRegularFile(clients.resolve("node_modules/openai/package.json"))) {
            skipUnless(onPath("npm"), "local/clients/node_modules is missing and npm is not installed to restore it");
            Result ci = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), INSTALL_TIMEOUT);
            System.out.printf("npm ci in local/clients: exit %d in %d ms%n", ci.exit, ci.millis);
            skipUnless(ci.exit == 0 && Files.isRegularFile(clients.resolve("node_modules/openai/package.json")),
                    () -> "npm ci in local/clients failed (exit " + ci.exit + "), so the official Node client is "
                            + "not installed:\n" + ci.tail());
        }

        JsonNode summary = runClient(List.of("node", "stream.mjs"));

        assertEquals("openai-node", summary.path("client").asText());
        assertClientWorked(summary);
    }

    @Test
    void officialPythonClient_streamsThroughLocalGateway() throws Exception {
        String python = pythonWithOpenAi();

        JsonNode summary = runClient(List.of(python, "stream.py"));

        assertEquals("openai-python", summary.path("client").asText());
        assertClientWorked(summary);
    }

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
        // Fail fast where an index is unreachable (no retries) and never build from source: wheels or a skip.
        Result pip = run(List.of(venvPython, "-m", "pip", "install", "--disable-pip-version-check", "--retries", "0",
                "--only-binary=:all:", "-r", "requirements.txt"), Map.of(), INSTALL_TIMEOUT);
        System.out.printf("venv + pip install in local/clients: exit %d in %d ms%n", pip.exit,
                made.millis + pip.millis);
        skipUnless(pip.exit == 0 && importsOpenAi(venvPython), () -> "pip could not install local/clients/"
                + "requirements.txt (exit " + pip.exit + "; no reachable package index has those wheels), so the "
                + "official Python client is not installed; set SWITCHBOARD_OPENAI_PYTHON to an interpreter that "
                + "imports openai to run it anyway:\n" + pip.tail());
        return venvPython;
    }

    private boolean importsOpenAi(String python) throws Exception {
        try {
            return run(List.of(python, "-c", "import openai"), Map.of(), Duration.ofSeconds(60)).exit == 0;
        } catch (IOException notRunnable) {
            return false;
        }
    }

    /** Starts the gateway, runs one client script against it, and returns the JSON summary it printed. */
    private JsonNode runClient(List<String> command) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("SWITCHBOARD_METRICS", "off");
        env.put("SWITCHBOARD_MOCK_LATENCY_MS", Integer.toString(MOCK_LATENCY_MS));
        gateway = LocalGateway.start(Project.template(), 0, env, Map.of());
        String url = "http://127.0.0.1:" + gateway.port();

        List<String> args = new ArrayList<>(command);
        args.add(url);
        Map<String, String> clientEnv = new HashMap<>();
        clientEnv.put("SWITCHBOARD_API_KEY", LocalGateway.DEFAULT_DEV_KEY);
        clientEnv.put("SWITCHBOARD_MODEL", "fast");
        clientEnv.put("PYTHONDONTWRITEBYTECODE", "1");
        clientEnv.put("PYTHONIOENCODING", "utf-8");
        // The gateway is on loopback: a proxy configured for the machine must not be asked for it.
        String noProxy = System.getenv().getOrDefault("NO_PROXY", System.getenv().getOrDefault("no_proxy", ""));
        noProxy = (noProxy.isBlank() ? "" : noProxy + ",") + "127.0.0.1,localhost";
        clientEnv.put("NO_PROXY", noProxy);
        clientEnv.put("no_proxy", noProxy);
        Result r = run(args, clientEnv, CLIENT_TIMEOUT);
        assertEquals(0, r.exit, () -> String.join(" ", command) + " failed:\n" + r.tail());
        String line = r.stdout.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
        assertTrue(line != null, () -> "no JSON summary from " + String.join(" ", command) + ":\n" + r.tail());
        JsonNode summary = JSON.readTree(line);
        JsonNode s = summary.path("stream");
        System.out.printf("%s %s on %s: %d chunks, first chunk %s ms, last chunk %s ms, stream %s ms; "
                        + "non-streamed %s ms; bad key %s ms (%s in %d ms in all)%n",
                summary.path("client").asText(), summary.path("client_version").asText(),
                summary.path("runtime").asText(), s.path("chunks").asInt(), s.path("first_chunk_ms").asText(),
                s.path("last_chunk_ms").asText(), s.path("total_ms").asText(),
                summary.path("non_stream").path("total_ms").asText(), summary.path("bad_key").path("total_ms").asText(),
                command.get(command.size() - 1), r.millis);
        System.out.println(line);
        return summary;
    }

    private static void assertClientWorked(JsonNode summary) {
        String all = summary.toPrettyString();

        JsonNode stream = summary.path("stream");
        assertTrue(stream.path("ok").asBoolean(), () -> "the stream failed: " + all);
        assertTrue(stream.path("chunks").asInt() > 1, () -> "several chunks: " + all);
        List<String> deltas = new ArrayList<>();
        stream.path("deltas").forEach(d -> deltas.add(d.asText()));
        assertTrue(deltas.stream().filter(d -> !d.isEmpty()).count() > 1, () -> "content in several pieces: " + all);
        String content = stream.path("content").asText();
        assertTrue(!content.isBlank(), () -> "streamed content: " + all);
        assertEquals(String.join("", deltas), content, "the content is the deltas in order");
        assertEquals("stop", stream.path("finish_reason").asText(), all);
        JsonNode usage = stream.path("usage");
        assertTrue(usage.path("total_tokens").asInt() > 0, () -> "usage from stream_options.include_usage: " + all);
        assertEquals(usage.path("prompt_tokens").asInt() + usage.path("completion_tokens").asInt(),
                usage.path("total_tokens").asInt(), all);
        double first = stream.path("first_chunk_ms").asDouble();
        double last = stream.path("last_chunk_ms").asDouble();
        assertTrue(first >= MOCK_LATENCY_MS, () -> "no chunk before the upstream's first token: " + all);
        assertTrue(last >= first, all);

        JsonNode plain = summary.path("non_stream");
        assertTrue(plain.path("ok").asBoolean(), () -> "the non-streamed call failed: " + all);
        assertEquals("chat.completion", plain.path("object").asText(), all);
        assertEquals("stop", plain.path("finish_reason").asText(), all);
        assertTrue(!plain.path("content").asText().isBlank(), () -> "non-streamed content: " + all);
        assertEquals(plain.path("content").asText(), content,
                "the mock answers a prompt alike either way, so the reassembled stream is the whole answer");

        JsonNode bad = summary.path("bad_key");
        assertTrue(bad.path("raised").asBoolean(), () -> "a bad key must raise: " + all);
        assertEquals("AuthenticationError", bad.path("error").asText(), all);
        assertTrue(bad.path("authentication_error").asBoolean(), all);
        assertEquals(401, bad.path("status").asInt(), all);
        assertEquals("invalid_api_key", bad.path("code").asText(), all);

        JsonNode emb = summary.path("embeddings");
        assertTrue(emb.path("ok").asBoolean(), () -> "the embeddings calls failed: " + all);
        assertEquals("list", emb.path("object").asText(), all);
        assertEquals("[0,1]", emb.path("indexes").toString(), all);
        JsonNode decoded = emb.path("default");
        JsonNode numbers = emb.path("float");
        assertEquals(2, decoded.size(), all);
        assertEquals(2, numbers.size(), all);
        for (int i = 0; i < 2; i++) {
            assertEquals(16, decoded.get(i).size(), () -> "dimensions honoured: " + all);
            for (int k = 0; k < 16; k++) {
                // the client widens the decoded float32 to a double; as float32 both encodings carry the same bits
                assertEquals((float) numbers.get(i).get(k).asDouble(), (float) decoded.get(i).get(k).asDouble(),
                        all);
            }
        }
        assertTrue(emb.path("usage").path("prompt_tokens").asInt() > 0, all);
    }

    /** Skips with the reason on the console outside CI; in CI ({@code CI=true}) fails instead. */
    private static void skipUnless(boolean condition, String reason) {
        skipUnless(condition, () -> reason);
    }

    private static void skipUnless(boolean condition, Supplier<String> reason) {
        if (!condition) {
            String why = reason.get();
            if ("true".equals(System.getenv("CI"))) {
                // CI installs what these clients need: there a missing tool is a failure, never a silent skip
                throw new AssertionError("OpenAiClientsTest cannot run in CI: " + why);
            }
            System.out.println("SKIPPED OpenAiClientsTest: " + why);
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
