package io.switchboard.local;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every API route of {@code template.yaml} (read from the template, not hand-picked) × method (GET, POST, PUT,
 * DELETE, PATCH, HEAD, OPTIONS) × content type (JSON, text/plain, none, form) × encoding (identity, a gzip body with
 * {@code Content-Encoding: gzip}) answers as the README says, over HTTP through the local run: the route's own
 * method serves (200/202), content types the README accepts pass, a content-encoded body is 415
 * {@code unsupported_media_type}, every other method is 405 {@code method_not_allowed}; every error in OpenAI's
 * format. Mismatches are collected and reported together as a table. Paths no route serves go to the template's
 * {@code $default} route: 404 {@code unknown_url} in OpenAI's format, whatever the method and the key.
 */
class RouteTableTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");
    private static final Map<String, String> CONTENT_TYPES = new java.util.LinkedHashMap<>();

    static {
        CONTENT_TYPES.put("json", "application/json");
        CONTENT_TYPES.put("text", "text/plain");
        CONTENT_TYPES.put("none", null);
        CONTENT_TYPES.put("form", "application/x-www-form-urlencoded");
    }

    private static LocalGateway gateway;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("SWITCHBOARD_METRICS", "off");
        env.put("AWS_REGION", "us-east-1");
        LocalOptions options = new LocalOptions(true, LocalOptions.DynamoDbMode.MEMORY, true, false, 1,
                Duration.ofMillis(100), null);
        gateway = LocalGateway.start(Project.template(), 0, env, Map.of(), options, o -> { });
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    /** One API route of the template: a concrete path for it and the one method it serves. */
    record Target(String method, String path) {
    }

    static List<Target> targets() throws Exception {
        Set<Target> out = new LinkedHashSet<>();
        for (FunctionSpec f : SamTemplate.read(Project.template(), Map.of()).functions()) {
            for (Route r : f.routes()) {
                if (r.isDefault()) {
                    continue; // the catch-all route: unknownPathsAre404UnknownUrlInOpenAiFormat
                }
                if (r.path().startsWith("/v1/admin/")) {
                    // the admin API serves several methods per path (AdminApi: list and create on one path, get,
                    // patch and delete on another, 405 with Allow otherwise): AdminRouteHandlerTest and
                    // GatewayGovernanceTest hold its table
                    continue;
                }
                String path = r.path().replaceAll("\\{[^}]+\\+}", "mock/mock-1").replaceAll("\\{[^}]+}", "fast");
                out.add(new Target(served(path), path));
            }
        }
        return new ArrayList<>(out);
    }

    /** The method the README documents for a path. */
    private static String served(String path) {
        return path.startsWith("/v1/models") || path.startsWith("/health") ? "GET" : "POST";
    }

    private static String key(String path) {
        return path.equals("/v1/cache/invalidate") || path.equals("/health/deep") ? LocalGateway.DEFAULT_DEV_ADMIN_KEY
                : LocalGateway.DEFAULT_DEV_KEY;
    }

    private static String body(String path) {
        if (path.contains("embeddings")) {
            return "{\"model\":\"fast\",\"input\":\"route table\"}";
        }
        if (path.contains("invalidate")) {
            return "{\"tenant\":\"local\",\"reason\":\"route table\"}";
        }
        return "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"route table\"}]}";
    }

    @Test
    void everyRouteMethodContentTypeAndEncodingAnswersAsDocumented() throws Exception {
        List<Target> targets = targets();
        assertTrue(targets.size() >= 7, targets.toString());
        List<String> wrong = new ArrayList<>();
        int cases = 0;
        for (Target t : targets) {
            for (String method : METHODS) {
                for (Map.Entry<String, String> ct : CONTENT_TYPES.entrySet()) {
                    for (boolean gzip : List.of(false, true)) {
                        cases++;
                        String problem = check(t, method, ct.getValue(), gzip);
                        if (problem != null) {
                            wrong.add(method + " " + t.path() + " ct=" + ct.getKey() + (gzip ? " gzip" : "")
                                    + ": " + problem);
                        }
                    }
                }
            }
        }
        System.out.println("route table: " + cases + " cases, " + wrong.size() + " not as documented");
        assertTrue(wrong.isEmpty(), () -> wrong.size() + " of the cases do not answer as the README says:\n"
                + String.join("\n", wrong));
    }

    /**
     * A body over the gateway's limit (default 4 MiB, under the platform's own) on every POST route: 413
     * {@code request_too_large} in OpenAI's format.
     */
    @Test
    void oversizedBodiesAre413InOpenAiFormat() throws Exception {
        List<String> wrong = new ArrayList<>();
        byte[] big = new byte[4 * 1024 * 1024 + 1024];
        java.util.Arrays.fill(big, (byte) ' ');
        big[0] = '{';
        big[big.length - 1] = '}';
        for (Target t : targets()) {
            if (!t.method().equals("POST")) {
                continue; // (the admin route's own limit is smaller: the same 413)
            }
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + gateway.port() + t.path()))
                    .timeout(Duration.ofSeconds(60)).header("authorization", "Bearer " + key(t.path()))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(big)).build(), HttpResponse.BodyHandlers.ofString());
            String code = r.statusCode() == 413 ? JSON.readTree(r.body()).path("error").path("code").asText() : "";
            if (!code.equals("request_too_large")) {
                wrong.add(t.path() + ": " + r.statusCode() + " " + abbreviate(r.body()));
            }
        }
        assertTrue(wrong.isEmpty(), () -> String.join("\n", wrong));
    }

    /** A body that is not well-formed UTF-8 (a surrogate in a string) on every POST route: 400 {@code invalid_json}. */
    @Test
    void illFormedUtf8BodiesAre400OnEveryPostRoute() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (Target t : targets()) {
            if (!t.method().equals("POST")) {
                continue;
            }
            String text = body(t.path()).replace("route table", "a\u0000b");
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            int at = text.indexOf('\u0000');
            byte[] bad = new byte[b.length + 2];
            System.arraycopy(b, 0, bad, 0, at);
            bad[at] = (byte) 0xED;
            bad[at + 1] = (byte) 0xA0;
            bad[at + 2] = (byte) 0x80;
            System.arraycopy(b, at + 1, bad, at + 3, b.length - at - 1);
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + gateway.port() + t.path()))
                    .timeout(Duration.ofSeconds(30)).header("authorization", "Bearer " + key(t.path()))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bad)).build(), HttpResponse.BodyHandlers.ofString());
            String code = r.statusCode() == 400 ? JSON.readTree(r.body()).path("error").path("code").asText() : "";
            if (!code.equals("invalid_json")) {
                wrong.add(t.path() + ": " + r.statusCode() + " " + abbreviate(r.body()));
            }
        }
        assertTrue(wrong.isEmpty(), () -> String.join("\n", wrong));
    }

    /** Paths no route of the template serves: near misses of real routes, and paths of no route at all. */
    static final List<String> UNKNOWN_PATHS = List.of("/", "/v1", "/v1/", "/v1/nothing", "/v1/chat/completions/",
            "/v1/chat/completions/x", "/v1//chat/completions", "/V1/chat/completions", "/v1/chat%2Fcompletions",
            "/v2/chat/completions", "/v1/embeddings/", "/v1/models/", "/v1/modelsx", "/health/", "/health/deep/x",
            "/v1/cache/invalidate/", "/v1/completions", "/v1/responses", "/v1/chat/completions;x=1", "/%7e/%41",
            "/v1/n%C3%A9", "/" + "x".repeat(300));

    /**
     * Every unknown path × every method × {a gateway key, a wrong key, none}: 404 {@code unknown_url} in OpenAI's
     * format naming the method and the path, the same answer whatever the key (no key check, nothing to tell a caller
     * whether a key is good); HEAD without a body. API Gateway answers these itself with a bare
     * {@code {"message":"Not Found"}} unless the template has a {@code $default} route.
     */
    @Test
    void unknownPathsAre404UnknownUrlInOpenAiFormat() throws Exception {
        List<String> wrong = new ArrayList<>();
        int cases = 0;
        for (String path : UNKNOWN_PATHS) {
            for (String method : METHODS) {
                String first = null;
                for (String key : java.util.Arrays.asList(LocalGateway.DEFAULT_DEV_KEY, "sk-wrong-key", null)) {
                    cases++;
                    boolean sendsBody = !method.equals("GET") && !method.equals("HEAD") && !method.equals("OPTIONS");
                    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port()
                                    + path + "?q=1")).timeout(Duration.ofSeconds(30))
                            .header("content-type", "application/json")
                            .method(method, sendsBody ? HttpRequest.BodyPublishers.ofString(body("/v1/chat/completions"))
                                    : HttpRequest.BodyPublishers.noBody());
                    if (key != null) {
                        b.header("authorization", "Bearer " + key);
                    }
                    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
                    String problem = unknownUrlProblem(method, path, r);
                    if (problem == null && !method.equals("HEAD")) {
                        if (first == null) {
                            first = r.body();
                        } else if (!first.equals(r.body())) {
                            problem = "the answer depends on the key: " + abbreviate(r.body());
                        }
                    }
                    if (problem != null) {
                        wrong.add(method + " " + abbreviate(path) + " key=" + (key == null ? "none" : key.equals(
                                "sk-wrong-key") ? "wrong" : "valid") + ": " + problem);
                    }
                }
            }
        }
        System.out.println("unknown paths: " + cases + " cases, " + wrong.size() + " not as documented");
        assertTrue(wrong.isEmpty(), () -> wrong.size() + " of the unknown-path cases are not 404 unknown_url:\n"
                + String.join("\n", wrong));
    }

    private static String unknownUrlProblem(String method, String path, HttpResponse<String> r) {
        if (r.statusCode() != 404) {
            return "status " + r.statusCode() + " body " + abbreviate(r.body());
        }
        if (method.equals("HEAD")) {
            return r.body().isEmpty() ? null : "HEAD answered with a body";
        }
        JsonNode error;
        try {
            error = JSON.readTree(r.body()).path("error");
        } catch (Exception e) {
            return "not JSON: " + abbreviate(r.body());
        }
        String echoed = path.length() > 256 ? path.substring(0, 256) + "..." : path;
        String message = "Unknown request URL: " + method + " " + echoed + ". Please check the URL for typos, or see "
                + "the docs at https://platform.openai.com/docs/api-reference/.";
        if (!message.equals(error.path("message").asText()) || !"invalid_request_error".equals(
                error.path("type").asText()) || !error.has("param") || !error.path("param").isNull()
                || !"unknown_url".equals(error.path("code").asText()) || error.size() != 4) {
            return "not OpenAI's unknown_url error: " + abbreviate(r.body());
        }
        if (!"application/json".equals(r.headers().firstValue("content-type").orElse(""))) {
            return "content-type " + r.headers().firstValue("content-type").orElse("none");
        }
        return null;
    }

    private static String check(Target t, String method, String contentType, boolean gzip) throws Exception {
        boolean sendsBody = !method.equals("GET") && !method.equals("HEAD") && !method.equals("OPTIONS");
        byte[] body = body(t.path()).getBytes(StandardCharsets.UTF_8);
        if (gzip) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            try (GZIPOutputStream z = new GZIPOutputStream(b)) {
                z.write(body);
            }
            body = b.toByteArray();
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + t.path()))
                .timeout(Duration.ofSeconds(30)).header("authorization", "Bearer " + key(t.path()))
                .method(method, sendsBody ? HttpRequest.BodyPublishers.ofByteArray(body)
                        : HttpRequest.BodyPublishers.noBody());
        if (contentType != null) {
            b.header("content-type", contentType);
        }
        if (gzip && sendsBody) {
            b.header("content-encoding", "gzip");
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        int want;
        String code = null;
        if (!method.equals(t.method())) {
            want = 405;
            code = "method_not_allowed";
        } else if (gzip && sendsBody) {
            want = 415;
            code = "unsupported_media_type";
        } else {
            want = t.path().contains("invalidate") ? 202 : 200;
        }
        if (r.statusCode() != want) {
            return "status " + r.statusCode() + " (README: " + want + ") body " + abbreviate(r.body());
        }
        if (code != null && !method.equals("HEAD")) {
            JsonNode error;
            try {
                error = JSON.readTree(r.body()).path("error");
            } catch (Exception e) {
                return "not JSON: " + abbreviate(r.body());
            }
            if (!error.path("message").isTextual() || !error.path("type").isTextual()
                    || !code.equals(error.path("code").asText())) {
                return "not OpenAI's error format with code " + code + ": " + abbreviate(r.body());
            }
        }
        if (method.equals("HEAD") && !r.body().isEmpty()) {
            return "HEAD answered with a body";
        }
        return null;
    }

    private static String abbreviate(String s) {
        return s.length() > 160 ? s.substring(0, 160) + "…" : s;
    }
}
