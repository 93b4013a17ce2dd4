package io.switchboard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.core.provider.anthropic.FakeAnthropicServer;
import io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime;
import io.switchboard.core.provider.bedrock.testing.FakeEmbeddings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * The secrets scan: a representative end-to-end scenario through the local run (completions whole and streamed,
 * embeddings, cache hits, the admin invalidation route, wrong and missing keys, unknown models, invalid bodies, and
 * an upstream that quotes the prompt and the provider key back in its 4xx/5xx bodies and stream error events) with
 * every log line the JVM prints and every response (status line, headers, body) captured. The same runs through an
 * {@code anthropic} provider ({@link FakeAnthropicServer} quoting the prompt and its {@code x-api-key}) and a
 * {@code bedrock} provider ({@link FakeBedrockRuntime} quoting the prompt and the SigV4 {@code authorization} header,
 * which names the access key id, in its AWS errors and exception frames), chat and embeddings. None may contain the
 * gateway key, the admin key, a wrong key a caller sent, any provider key (OpenAI's, Anthropic's, the AWS access key
 * id and secret key), or the prompt text. (The one request value an answer names back is an unknown {@code model},
 * as OpenAI's own answer does.)
 */
class SecretsScanTest {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String GATEWAY_KEY = "sk-gw-secret-" + RUN;
    private static final String ADMIN_KEY = "sk-admin-secret-" + RUN;
    private static final String WRONG_KEY = "sk-wrong-secret-" + RUN;
    private static final String PROVIDER_KEY = "sk-provider-secret-" + RUN;
    private static final String ANTHROPIC_KEY = "sk-ant-secret-" + RUN;
    private static final String AWS_KEY_ID = "AKIASECRET" + RUN.toUpperCase(java.util.Locale.ROOT);
    private static final String AWS_SECRET = "aws-secret-key-" + RUN;
    private static final String PROMPT = "PROMPT-SECRET-" + RUN;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<String> responses = new ArrayList<>();

    /** An OpenAI-compatible upstream that answers by what the prompt asks, quoting the request in its errors. */
    private static HttpServer upstream() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 32);
        s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        s.createContext("/v1/chat/completions", ex -> {
            String req = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String quoted = "you sent " + PROMPT + " with " + ex.getRequestHeaders().getFirst("authorization");
            String error = "{\"error\":{\"message\":\"" + quoted + "\",\"type\":\"invalid_request_error\",\"param\":\""
                    + PROMPT + "\",\"code\":\"" + PROMPT + "\"}}";
            if (req.contains("upstream-400")) {
                reply(ex, 400, "application/json", error);
            } else if (req.contains("upstream-401")) {
                reply(ex, 401, "application/json", error);
            } else if (req.contains("upstream-500")) {
                reply(ex, 500, "text/plain", quoted);
            } else if (req.contains("upstream-garbage")) {
                reply(ex, 200, "application/json", "{\"choices\":" + quoted);
            } else if (req.contains("\"stream\":true")) {
                String chunk = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                        + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"ok\"},"
                        + "\"finish_reason\":null}]}\n\n";
                if (req.contains("stream-error")) {
                    reply(ex, 200, "text/event-stream", chunk + "data: " + error + "\n\n");
                } else if (req.contains("stream-cut")) {
                    reply(ex, 200, "text/event-stream", chunk);
                } else {
                    reply(ex, 200, "text/event-stream", chunk + chunk.replace("\"content\":\"ok\"", "\"content\":\"!\"")
                            .replace("null}]", "\"stop\"}]") + "data: [DONE]\n\n");
                }
            } else {
                reply(ex, 200, "application/json", "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,"
                        + "\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                        + "\"ok\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,"
                        + "\"total_tokens\":2}}");
            }
        });
        s.createContext("/v1/embeddings", ex -> {
            String req = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (req.contains("upstream-400")) {
                reply(ex, 400, "application/json", "{\"error\":{\"message\":\"bad " + PROMPT + "\"}}");
                return;
            }
            reply(ex, 200, "application/json", "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,"
                    + "\"embedding\":[0.1,0.2]}],\"model\":\"e\",\"usage\":{\"prompt_tokens\":1,\"total_tokens\":1}}");
        });
        s.createContext("/v1/models", ex -> reply(ex, 200, "application/json", "{\"object\":\"list\",\"data\":[]}"));
        s.start();
        return s;
    }

    /** What the fakes of the other providers quote back: the prompt and the credentials they were sent. */
    private static String quoted(String credentials) {
        return "you sent " + PROMPT + " with " + credentials;
    }

    /** Anthropic's Messages API, answering by what the prompt asks and quoting the prompt and the key in errors. */
    private static FakeAnthropicServer anthropic() throws IOException {
        FakeAnthropicServer fake = FakeAnthropicServer.start();
        fake.respond(r -> {
            String req = new String(r.body(), StandardCharsets.UTF_8);
            String quoted = quoted(r.header("x-api-key"));
            if (req.contains("upstream-400")) {
                return FakeAnthropicServer.Reply.error(400, "invalid_request_error", quoted);
            } else if (req.contains("upstream-401")) {
                return FakeAnthropicServer.Reply.error(401, "authentication_error", quoted);
            } else if (req.contains("upstream-500")) {
                return new FakeAnthropicServer.Reply(500, Map.of("Content-Type", "text/plain"),
                        List.of(quoted.getBytes(StandardCharsets.UTF_8)), Duration.ZERO, Duration.ZERO);
            } else if (req.contains("upstream-garbage")) {
                return FakeAnthropicServer.Reply.json(200, "{\"content\":\"" + quoted);
            } else if (r.stream()) {
                List<String> events = FakeAnthropicServer.textStream(List.of("o", "k"), "end_turn", 3, 2);
                if (req.contains("stream-error")) {
                    return FakeAnthropicServer.Reply.sse(List.of(events.get(0), events.get(1), "event: error\ndata: "
                            + "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\""
                            + quoted + "\"}}\n\n"));
                } else if (req.contains("stream-cut")) {
                    return FakeAnthropicServer.Reply.sse(events.subList(0, 3));
                }
                return FakeAnthropicServer.Reply.sse(events);
            }
            return FakeAnthropicServer.Reply.json(200, FakeAnthropicServer.message(
                    List.of(FakeAnthropicServer.text("ok")), "end_turn", FakeAnthropicServer.usage(3, 0, 0, 1)));
        });
        return fake;
    }

    /** Bedrock Runtime: Converse, ConverseStream and InvokeModel, quoting the prompt and the signature in errors. */
    private static FakeBedrockRuntime bedrock() throws IOException {
        FakeBedrockRuntime fake = FakeBedrockRuntime.start();
        fake.respond(r -> {
            String req = new String(r.body(), StandardCharsets.UTF_8);
            String quoted = quoted(r.header("authorization"));
            if (req.contains("upstream-400")) {
                return FakeBedrockRuntime.Reply.error(400, "ValidationException", quoted);
            } else if (req.contains("upstream-401")) {
                return FakeBedrockRuntime.Reply.error(403, "AccessDeniedException", quoted);
            } else if (req.contains("upstream-500")) {
                return FakeBedrockRuntime.Reply.error(500, "InternalServerException", quoted);
            } else if (req.contains("upstream-garbage")) {
                return FakeBedrockRuntime.Reply.json(200, "{\"output\":\"" + quoted);
            } else if ("invoke".equals(r.operation())) {
                return FakeEmbeddings.answer(r);
            } else if ("converse-stream".equals(r.operation())) {
                List<FakeBedrockRuntime.Frame> frames = FakeBedrockRuntime.textStream("end_turn", "o", "k");
                if (req.contains("stream-error")) {
                    return FakeBedrockRuntime.Reply.stream(List.of(frames.get(0), frames.get(1),
                            FakeBedrockRuntime.exception("modelStreamErrorException", quoted)));
                } else if (req.contains("stream-cut")) {
                    return FakeBedrockRuntime.Reply.stream(frames.subList(0, 2)).cut();
                }
                return FakeBedrockRuntime.Reply.stream(frames);
            }
            return FakeBedrockRuntime.Reply.json(200, FakeBedrockRuntime.converseText("ok", "end_turn", 3, 1));
        });
        return fake;
    }

    private static void reply(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("content-type", type);
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    /** Everything printed, to the console as before and into {@code into}. */
    private static PrintStream tee(PrintStream original, ByteArrayOutputStream into) {
        return new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                original.write(b);
                synchronized (into) {
                    into.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                original.write(b, off, len);
                synchronized (into) {
                    into.write(b, off, len);
                }
            }
        }, true, StandardCharsets.UTF_8);
    }

    @Test
    void noKeyAndNoPromptInAnyLogLineOrResponse() throws Exception {
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        PrintStream out = System.out;
        PrintStream err = System.err;
        HttpServer up = upstream();
        FakeAnthropicServer anthropic = anthropic();
        FakeBedrockRuntime bedrock = bedrock();
        System.setOut(tee(out, logs));
        System.setErr(tee(err, logs));
        LocalGateway gateway = null;
        try {
            Map<String, String> env = new HashMap<>();
            env.put("SWITCHBOARD_METRICS", "off");
            env.put("AWS_REGION", "us-east-1");
            env.put("SWITCHBOARD_DEV_KEY", GATEWAY_KEY);
            env.put("SWITCHBOARD_DEV_ADMIN_KEY", ADMIN_KEY);
            env.put("OPENAI_API_KEY", PROVIDER_KEY);
            env.put("ANTHROPIC_API_KEY", ANTHROPIC_KEY);
            env.put("AWS_ACCESS_KEY_ID", AWS_KEY_ID);
            env.put("AWS_SECRET_ACCESS_KEY", AWS_SECRET);
            env.put("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", bedrock.endpoint().toString());
            env.put("SWITCHBOARD_CONFIG", "{\"providers\":{\"up\":{\"type\":\"openai\",\"baseUrl\":\"http://127.0.0.1:"
                    + up.getAddress().getPort() + "/v1\",\"apiKey\":\"env:OPENAI_API_KEY\"},\"mock\":{\"type\":\"mock\"},"
                    + "\"ant\":{\"type\":\"anthropic\",\"baseUrl\":\"" + anthropic.baseUrl()
                    + "\",\"apiKey\":\"env:ANTHROPIC_API_KEY\"},\"bed\":{\"type\":\"bedrock\"}},"
                    + "\"models\":{\"m\":\"up/model-x\",\"fast\":\"mock/mock-1\",\"claude\":\"ant/claude-sonnet-4-5\","
                    + "\"nova\":\"bed/amazon.nova-lite-v1:0\",\"titan\":\"bed/amazon.titan-embed-text-v2:0\"},"
                    // every failure kind in turn on one deployment: its breaker must not open between them
                    + "\"resilience\":{\"breaker\":{\"consecutiveFailures\":1000,\"failureRate\":1.0}}}");
            LocalOptions options = new LocalOptions(true, LocalOptions.DynamoDbMode.MEMORY, true, false, 1,
                    Duration.ofMillis(100), null);
            gateway = LocalGateway.start(Project.template(), 0, env, Map.of(), options, o -> { });
            String base = "http://127.0.0.1:" + gateway.port();
            scenario(base);
        } finally {
            if (gateway != null) {
                gateway.close();
            }
            up.stop(0);
            anthropic.close();
            bedrock.close();
            System.setOut(out);
            System.setErr(err);
        }
        String logText;
        synchronized (logs) {
            logText = logs.toString(StandardCharsets.UTF_8);
        }
        List<String> leaks = new ArrayList<>();
        // the fakes did quote the secrets back (else the scan would prove nothing) and did not fail themselves
        assertEquals(List.of(), anthropic.failures());
        assertEquals(List.of(), bedrock.failures());
        assertTrue(anthropic.requests().stream().anyMatch(r -> ANTHROPIC_KEY.equals(r.header("x-api-key"))
                && new String(r.body(), StandardCharsets.UTF_8).contains(PROMPT)), "Anthropic got the key and prompt");
        assertTrue(bedrock.requests().stream().anyMatch(r -> Objects.toString(r.header("authorization"), "")
                .contains(AWS_KEY_ID) && new String(r.body(), StandardCharsets.UTF_8).contains(PROMPT)),
                "Bedrock got the access key id and the prompt");
        assertEquals(List.of("converse", "converse-stream", "invoke"), bedrock.requests().stream()
                .map(FakeBedrockRuntime.Recorded::operation).distinct().sorted().toList());
        for (String secret : List.of(GATEWAY_KEY, ADMIN_KEY, WRONG_KEY, PROVIDER_KEY, ANTHROPIC_KEY, AWS_KEY_ID,
                AWS_SECRET, PROMPT)) {
            for (String line : logText.split("\n")) {
                if (line.contains(secret)) {
                    leaks.add("log line: " + line);
                }
            }
            for (String r : responses) {
                if (r.contains(secret)) {
                    leaks.add("response: " + r);
                }
            }
        }
        System.out.println("secrets scan: " + responses.size() + " responses, " + logText.split("\n").length
                + " log lines, " + leaks.size() + " leaks");
        assertTrue(leaks.isEmpty(), () -> String.join("\n", leaks));
    }

    private void scenario(String base) throws Exception {
        String msg = "{\"role\":\"user\",\"content\":\"" + PROMPT + " %s\"}";
        String chat = "{\"model\":\"%s\",\"temperature\":0,%s\"messages\":[" + msg + "]}";
        // successes, a cache hit, a stream
        expect(200, send(base, "POST", "/v1/chat/completions", GATEWAY_KEY, chat.formatted("m", "", "hello")));
        expect(200, send(base, "POST", "/v1/chat/completions", GATEWAY_KEY, chat.formatted("m", "", "hello")));
        expect(200, send(base, "POST", "/v1/chat/completions", GATEWAY_KEY,
                chat.formatted("m", "\"stream\":true,", "streamed")));
        // (the mock provider's answer quotes the prompt, as a model may: its prompt holds no secret)
        expect(200, send(base, "POST", "/v1/chat/completions", GATEWAY_KEY,
                "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"mock\"}]}"));
        expect(200, send(base, "POST", "/v1/embeddings", GATEWAY_KEY,
                "{\"model\":\"m\",\"input\":\"" + PROMPT + " embed\"}"));
        expect(200, send(base, "GET", "/v1/models", GATEWAY_KEY, null));
        // keys refused
        expect(401, send(base, "POST", "/v1/chat/completions", WRONG_KEY, chat.formatted("m", "", "wrong key")));
        expect(401, send(base, "POST", "/v1/chat/completions", null, chat.formatted("m", "", "no key")));
        expect(401, send(base, "POST", "/v1/cache/invalidate", GATEWAY_KEY, "{\"all\":true,\"reason\":\"r\"}"));
        expect(202, send(base, "POST", "/v1/cache/invalidate", ADMIN_KEY, "{\"tenant\":\"local\",\"reason\":\"r\"}"));
        // the request's own errors, with the prompt in the field the error is about
        // (an unknown model's name is named back, as OpenAI does, so it is not a secret here)
        expect(404, send(base, "POST", "/v1/chat/completions", GATEWAY_KEY, chat.formatted("no-such-model", "", "x")));
        expect(400, send(base, "POST", "/v1/chat/completions", GATEWAY_KEY,
                chat.formatted("m", "\"temperature\":\"" + PROMPT + "\",", "t").replace("\"temperature\":0,", "")));
        expect(400, send(base, "POST", "/v1/chat/completions", GATEWAY_KEY, "{\"model\":\"m\",\"messages\":[{\"role\":\""
                + PROMPT + "\",\"content\":\"x\"}]}"));
        expect(400, send(base, "POST", "/v1/chat/completions", GATEWAY_KEY, "{\"model\":\"m\",\"messages\":\"" + PROMPT
                + "\" " + PROMPT + "}"));
        expect(400, send(base, "POST", "/v1/embeddings", GATEWAY_KEY, "{\"model\":\"m\",\"input\":{\"" + PROMPT
                + "\":1}}"));
        // an upstream that quotes the prompt and the provider key back
        expect(400, send(base, "POST", "/v1/chat/completions", GATEWAY_KEY, chat.formatted("m", "", "upstream-400")));
        expect(502, send(base, "POST", "/v1/chat/completions", GATEWAY_KEY, chat.formatted("m", "", "upstream-401")));
        expect(502, send(base, "POST", "/v1/chat/completions", GATEWAY_KEY, chat.formatted("m", "", "upstream-500")));
        expect(502, send(base, "POST", "/v1/chat/completions", GATEWAY_KEY,
                chat.formatted("m", "", "upstream-garbage")));
        expect(400, send(base, "POST", "/v1/embeddings", GATEWAY_KEY,
                "{\"model\":\"m\",\"input\":\"" + PROMPT + " upstream-400\"}"));
        send(base, "POST", "/v1/chat/completions", GATEWAY_KEY, chat.formatted("m", "\"stream\":true,", "stream-error"));
        send(base, "POST", "/v1/chat/completions", GATEWAY_KEY, chat.formatted("m", "\"stream\":true,", "stream-cut"));
        // the same through an Anthropic and a Bedrock provider: answers, streams, failing upstreams
        for (String model : List.of("claude", "nova")) {
            expect(200, send(base, "POST", "/v1/chat/completions", GATEWAY_KEY, chat.formatted(model, "", "hello")));
            expect(200, send(base, "POST", "/v1/chat/completions", GATEWAY_KEY,
                    chat.formatted(model, "\"stream\":true,", "streamed")));
            expect(400, send(base, "POST", "/v1/chat/completions", GATEWAY_KEY, chat.formatted(model, "",
                    "upstream-400")));
            expect(502, send(base, "POST", "/v1/chat/completions", GATEWAY_KEY, chat.formatted(model, "",
                    "upstream-401")));
            expect(502, send(base, "POST", "/v1/chat/completions", GATEWAY_KEY, chat.formatted(model, "",
                    "upstream-500")));
            expect(502, send(base, "POST", "/v1/chat/completions", GATEWAY_KEY, chat.formatted(model, "",
                    "upstream-garbage")));
            send(base, "POST", "/v1/chat/completions", GATEWAY_KEY, chat.formatted(model, "\"stream\":true,",
                    "stream-error"));
            send(base, "POST", "/v1/chat/completions", GATEWAY_KEY, chat.formatted(model, "\"stream\":true,",
                    "stream-cut"));
        }
        expect(200, send(base, "POST", "/v1/embeddings", GATEWAY_KEY,
                "{\"model\":\"titan\",\"input\":\"" + PROMPT + " embed\"}"));
        expect(400, send(base, "POST", "/v1/embeddings", GATEWAY_KEY,
                "{\"model\":\"titan\",\"input\":\"" + PROMPT + " upstream-400\"}"));
        expect(502, send(base, "POST", "/v1/embeddings", GATEWAY_KEY,
                "{\"model\":\"titan\",\"input\":\"" + PROMPT + " upstream-500\"}"));
    }

    private static void expect(int status, HttpResponse<String> r) {
        assertEquals(status, r.statusCode(), r.body());
    }

    private HttpResponse<String> send(String base, String method, String path, String key, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("content-type", "application/json");
        }
        if (key != null) {
            b.header("authorization", "Bearer " + key);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        responses.add(method + " " + path + " -> " + r.statusCode() + " " + r.headers().map() + " " + r.body());
        return r;
    }
}
