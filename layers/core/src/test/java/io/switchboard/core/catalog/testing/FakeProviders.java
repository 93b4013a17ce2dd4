package io.switchboard.core.catalog.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Model-listing servers on one loopback HTTP server, each speaking its provider's wire format:
 * <ul>
 *   <li>{@code /openai/v1/models}: OpenAI's list ({@link #openAiModels} ids), Bearer key required;</li>
 *   <li>{@code /anthropic/v1/models}: Anthropic's pages of two ({@link #anthropicModels}), {@code x-api-key} and
 *       {@code anthropic-version} required;</li>
 *   <li>{@code /bedrock/foundation-models} and {@code /bedrock/inference-profiles}: Bedrock's REST JSON, the lists of
 *       the region the request is signed for ({@link #EU_REGION}'s own, every other region's the same);</li>
 *   <li>{@code /slow/v1/models}: never answers until closed;</li>
 *   <li>{@code /failing/v1/models}: 503.</li>
 * </ul>
 */
public final class FakeProviders implements AutoCloseable {
    /** The key the fake OpenAI and Anthropic servers accept. */
    public static final String KEY = "sk-fake-provider";

    /** Ids the OpenAI endpoint lists; tests change it between runs. */
    public final List<String> openAiModels = new CopyOnWriteArrayList<>(List.of("gpt-4o", "gpt-4o-mini"));
    /** Ids the Anthropic endpoint lists. */
    public final List<String> anthropicModels = new CopyOnWriteArrayList<>(
            List.of("claude-3-5-haiku-20241022", "claude-3-7-sonnet-20250219", "claude-sonnet-4-20250514"));
    /** The region whose Bedrock lists differ from every other's. */
    public static final String EU_REGION = "eu-west-1";
    /** The region each Bedrock listing request was signed for, in order. */
    public final List<String> bedrockRegions = new CopyOnWriteArrayList<>();
    /** Requests seen per path prefix. */
    public final AtomicInteger requests = new AtomicInteger();
    /** Header check failures. */
    public final AtomicInteger badHeaders = new AtomicInteger();

    private final HttpServer server;
    private final CountDownLatch closing = new CountDownLatch(1);

    private FakeProviders(HttpServer server) {
        this.server = server;
    }

    /** Starts the servers on a free loopback port. */
    public static FakeProviders start() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        FakeProviders f = new FakeProviders(s);
        s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        s.createContext("/openai/v1/models", f::openAi);
        s.createContext("/anthropic/v1/models", f::anthropic);
        s.createContext("/bedrock/foundation-models", f::bedrockFoundation);
        s.createContext("/bedrock/inference-profiles", f::bedrockProfiles);
        s.createContext("/slow/v1/models", f::slow);
        s.createContext("/failing/v1/models", ex -> f.send(ex, 503, "{\"error\":{\"message\":\"overloaded\"}}"));
        s.start();
        return f;
    }

    /** The base URL of one fake, e.g. {@code base("openai")} is {@code http://127.0.0.1:port/openai/v1}. */
    public URI base(String name) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + name + "/v1");
    }

    /** Bedrock's endpoint override. */
    public URI bedrockEndpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/bedrock");
    }

    private void openAi(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        if (!("Bearer " + KEY).equals(ex.getRequestHeaders().getFirst("authorization"))) {
            badHeaders.incrementAndGet();
            send(ex, 401, "{\"error\":{\"message\":\"bad key\",\"type\":\"invalid_request_error\"}}");
            return;
        }
        StringBuilder sb = new StringBuilder("{\"object\":\"list\",\"data\":[");
        for (int i = 0; i < openAiModels.size(); i++) {
            sb.append(i == 0 ? "" : ",").append("{\"id\":\"").append(openAiModels.get(i))
                    .append("\",\"object\":\"model\",\"created\":1715367049,\"owned_by\":\"system\"}");
        }
        send(ex, 200, sb.append("]}").toString());
    }

    private void anthropic(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        if (!KEY.equals(ex.getRequestHeaders().getFirst("x-api-key"))
                || ex.getRequestHeaders().getFirst("anthropic-version") == null) {
            badHeaders.incrementAndGet();
            send(ex, 401, "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"x\"}}");
            return;
        }
        String q = ex.getRequestURI().getQuery();
        int start = 0;
        if (q != null && q.contains("after_id=")) {
            String after = q.substring(q.indexOf("after_id=") + 9).split("&")[0];
            start = anthropicModels.indexOf(after) + 1;
        }
        int end = Math.min(anthropicModels.size(), start + 2);
        StringBuilder sb = new StringBuilder("{\"data\":[");
        for (int i = start; i < end; i++) {
            sb.append(i == start ? "" : ",").append("{\"type\":\"model\",\"id\":\"").append(anthropicModels.get(i))
                    .append("\",\"display_name\":\"Claude\",\"created_at\":\"2025-02-19T00:00:00Z\"}");
        }
        sb.append("],\"has_more\":").append(end < anthropicModels.size());
        sb.append(",\"first_id\":").append(end > start ? "\"" + anthropicModels.get(start) + "\"" : "null");
        sb.append(",\"last_id\":").append(end > start ? "\"" + anthropicModels.get(end - 1) + "\"" : "null");
        send(ex, 200, sb.append("}").toString());
    }

    /** The region of a SigV4-signed request ({@code Credential=key/date/region/service/aws4_request}), or null. */
    private String signedRegion(HttpExchange ex) {
        String auth = ex.getRequestHeaders().getFirst("authorization");
        int at = auth == null ? -1 : auth.indexOf("Credential=");
        String region = null;
        if (at >= 0) {
            String[] scope = auth.substring(at + "Credential=".length()).split("[,\\s]")[0].split("/");
            region = scope.length > 2 ? scope[2] : null;
        }
        bedrockRegions.add(String.valueOf(region));
        return region;
    }

    private void bedrockFoundation(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        if (EU_REGION.equals(signedRegion(ex))) {
            send(ex, 200, """
                    {"modelSummaries":[
                     {"modelArn":"arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-pro-v1:0",
                      "modelId":"amazon.nova-pro-v1:0","modelName":"Nova Pro","providerName":"Amazon",
                      "inputModalities":["TEXT","IMAGE"],"outputModalities":["TEXT"],
                      "inferenceTypesSupported":["ON_DEMAND","INFERENCE_PROFILE"],
                      "modelLifecycle":{"status":"ACTIVE"}}]}
                    """);
            return;
        }
        send(ex, 200, """
                {"modelSummaries":[
                 {"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0",
                  "modelId":"amazon.nova-lite-v1:0","modelName":"Nova Lite","providerName":"Amazon",
                  "inputModalities":["TEXT","IMAGE"],"outputModalities":["TEXT"],
                  "modelLifecycle":{"status":"ACTIVE"}},
                 {"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-8b-instruct-v1:0",
                  "modelId":"meta.llama3-8b-instruct-v1:0","modelName":"Llama 3 8B","providerName":"Meta",
                  "inputModalities":["TEXT"],"outputModalities":["TEXT"],"modelLifecycle":{"status":"LEGACY"}},
                 {"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0",
                  "modelId":"amazon.titan-embed-text-v2:0","modelName":"Titan Text Embeddings V2",
                  "providerName":"Amazon","inputModalities":["TEXT"],"outputModalities":["EMBEDDING"],
                  "inferenceTypesSupported":["ON_DEMAND"],"modelLifecycle":{"status":"ACTIVE"}},
                 {"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/stability.sd3-5-large-v1:0",
                  "modelId":"stability.sd3-5-large-v1:0","modelName":"SD3.5 Large","providerName":"Stability AI",
                  "inputModalities":["TEXT","IMAGE"],"outputModalities":["IMAGE"],
                  "inferenceTypesSupported":["ON_DEMAND"],"modelLifecycle":{"status":"ACTIVE"}},
                 {"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0",
                  "modelId":"anthropic.claude-3-7-sonnet-20250219-v1:0","modelName":"Claude 3.7 Sonnet",
                  "providerName":"Anthropic","inputModalities":["TEXT","IMAGE"],"outputModalities":["TEXT"],
                  "inferenceTypesSupported":["INFERENCE_PROFILE"],"modelLifecycle":{"status":"ACTIVE"}},
                 {"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/twelvelabs.marengo-embed-2-7-v1:0",
                  "modelId":"twelvelabs.marengo-embed-2-7-v1:0","modelName":"Marengo Embed 2.7",
                  "providerName":"TwelveLabs","inputModalities":["TEXT","IMAGE","VIDEO"],
                  "outputModalities":["EMBEDDING"],"inferenceTypesSupported":["ON_DEMAND"],
                  "modelLifecycle":{"status":"ACTIVE"}}]}
                """);
    }

    /**
     * Profiles to a callable model (Nova Lite), to a model offered only through profiles (Claude 3.7 Sonnet, across
     * three regions), and to models the gateway cannot call: an image model, a legacy one, an embedding model of a
     * family it has no body for, one this region does not list, and a profile naming no model.
     */
    private void bedrockProfiles(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        if (EU_REGION.equals(signedRegion(ex))) {
            send(ex, 200, """
                    {"inferenceProfileSummaries":[
                     {"inferenceProfileName":"EU Nova Pro","inferenceProfileId":"eu.amazon.nova-pro-v1:0",
                      "inferenceProfileArn":"arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-pro-v1:0",
                      "status":"ACTIVE","type":"SYSTEM_DEFINED",
                      "models":[{"modelArn":"arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-pro-v1:0"},
                                {"modelArn":"arn:aws:bedrock:eu-central-1::foundation-model/amazon.nova-pro-v1:0"}]}]}
                    """);
            return;
        }
        send(ex, 200, """
                {"inferenceProfileSummaries":[
                 {"inferenceProfileName":"US Nova Lite","inferenceProfileId":"us.amazon.nova-lite-v1:0",
                  "inferenceProfileArn":"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-lite-v1:0",
                  "status":"ACTIVE","type":"SYSTEM_DEFINED","createdAt":"2024-11-29T00:00:00Z",
                  "models":[{"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"}]},
                 {"inferenceProfileName":"US Claude 3.7 Sonnet",
                  "inferenceProfileId":"us.anthropic.claude-3-7-sonnet-20250219-v1:0",
                  "inferenceProfileArn":"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0",
                  "status":"ACTIVE","type":"SYSTEM_DEFINED",
                  "models":[{"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0"},
                            {"modelArn":"arn:aws:bedrock:us-east-2::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0"},
                            {"modelArn":"arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0"}]},
                 {"inferenceProfileName":"US SD3.5 Large","inferenceProfileId":"us.stability.sd3-5-large-v1:0",
                  "inferenceProfileArn":"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.stability.sd3-5-large-v1:0",
                  "status":"ACTIVE","type":"SYSTEM_DEFINED",
                  "models":[{"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/stability.sd3-5-large-v1:0"}]},
                 {"inferenceProfileName":"US Llama 3 8B","inferenceProfileId":"us.meta.llama3-8b-instruct-v1:0",
                  "inferenceProfileArn":"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.meta.llama3-8b-instruct-v1:0",
                  "status":"ACTIVE","type":"SYSTEM_DEFINED",
                  "models":[{"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-8b-instruct-v1:0"}]},
                 {"inferenceProfileName":"US Marengo","inferenceProfileId":"us.twelvelabs.marengo-embed-2-7-v1:0",
                  "inferenceProfileArn":"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.twelvelabs.marengo-embed-2-7-v1:0",
                  "status":"ACTIVE","type":"SYSTEM_DEFINED",
                  "models":[{"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/twelvelabs.marengo-embed-2-7-v1:0"}]},
                 {"inferenceProfileName":"US Nova Premier","inferenceProfileId":"us.amazon.nova-premier-v1:0",
                  "inferenceProfileArn":"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-premier-v1:0",
                  "status":"ACTIVE","type":"SYSTEM_DEFINED",
                  "models":[{"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-premier-v1:0"}]},
                 {"inferenceProfileName":"US Empty","inferenceProfileId":"us.empty-v1:0",
                  "inferenceProfileArn":"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.empty-v1:0",
                  "status":"ACTIVE","type":"SYSTEM_DEFINED","models":[]}]}
                """);
    }

    private void slow(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        try {
            closing.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        send(ex, 200, "{\"object\":\"list\",\"data\":[]}");
    }

    private void send(HttpExchange ex, int status, String body) throws IOException {
        try (ex) {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("content-type", "application/json");
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
        } catch (IOException ignored) {
            // the client gave up (the slow endpoint)
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
    }
}
