package io.switchboard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
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
import java.util.UUID;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * The secrets scan: a representative end-to-end scenario through the local run (completions whole and streamed,
 * embeddings, cache hits, the admin invalidation route, wrong and missing keys, unknown models, invalid bodies, and
 * an upstream that quotes the prompt and the provider key back in its 4xx/5xx bodies and stream error events) with
 * every log line the JVM prints and every response (status line, headers, body) captured. None may contain the
 * gateway key, the admin key, a wrong key a caller sent, the provider key, or the prompt text. (The one request value
 * an answer names back is an unknown {@code model}, as OpenAI's own answer does.)
 */
class SecretsScanTest {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String GATEWAY_KEY = "sk-gw-secret-" + RUN;
    private static final String ADMIN_KEY = "sk-admin-secret-" + RUN;
    private static final String WRONG_KEY = "sk-wrong-secret-" + RUN;
    private static final String PROVIDER_KEY = "sk-provider-secret-" + RUN;
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
            env.put("SWITCHBOARD_CONFIG", "{\"providers\":{\"up\":{\"type\":\"openai\",\"baseUrl\":\"http://127.0.0.1:"
                    + up.getAddress().getPort() + "/v1\",\"apiKey\":\"env:OPENAI_API_KEY\"},\"mock\":{\"type\":\"mock\"}},"
                    + "\"models\":{\"m\":\"up/model-x\",\"fast\":\"mock/mock-1\"},"
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
            System.setOut(out);
            System.setErr(err);
        }
        String logText;
        synchronized (logs) {
            logText = logs.toString(StandardCharsets.UTF_8);
        }
        List<String> leaks = new ArrayList<>();
        for (String secret : List.of(GATEWAY_KEY, ADMIN_KEY, WRONG_KEY, PROVIDER_KEY, PROMPT)) {
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
