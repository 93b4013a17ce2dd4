package io.switchboard.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.catalog.testing.DynamoDbLocal;
import io.switchboard.core.catalog.testing.FakeProviders;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}} on the {@code events/} fixtures, from a synced catalog. */
class ModelsHandlerTest {
    private static DynamoDbLocal dynamo;
    private static FakeProviders fakes;
    private static ModelsHandler handler;

    @BeforeAll
    static void start() throws Exception {
        dynamo = DynamoDbLocal.start();
        fakes = FakeProviders.start();
        String table = dynamo.newTable();
        Map<String, String> env = Env.of(dynamo, table, fakes);
        new DiscoveryHandler(env).handleRequest(InputStream.nullInputStream(), new java.io.ByteArrayOutputStream(),
                null);
        handler = new ModelsHandler(env);
    }

    @AfterAll
    static void stop() throws Exception {
        fakes.close();
        dynamo.close();
    }

    private static JsonNode body(APIGatewayV2HTTPResponse r) throws IOException {
        return Json.MAPPER.readTree(r.getBody());
    }

    @Test
    void list_matchesOpenAiListModelsResponse() throws IOException {
        APIGatewayV2HTTPResponse r = handler.handleRequest(EventLoader.loadApiGatewayHttpEvent(
                "events/models-list.json"), null);
        assertEquals(200, r.getStatusCode());
        assertEquals("application/json", r.getHeaders().get("content-type"));
        JsonNode schema = Json.MAPPER.readTree(getClass().getResourceAsStream("/openai-models-schema.json"));
        JsonNode list = body(r);
        conforms(list, schema.path("ListModelsResponse"), "ListModelsResponse");
        assertTrue(list.path("data").size() > 0);
        for (JsonNode m : list.path("data")) {
            conforms(m, schema.path("Model"), "Model");
        }
    }

    @Test
    void list_includesAliasesAsModels() throws IOException {
        JsonNode list = body(handler.handleRequest(EventLoader.loadApiGatewayHttpEvent("events/models-list.json"),
                null));
        Set<String> ids = new HashSet<>();
        list.path("data").forEach(m -> ids.add(m.path("id").asText()));
        assertTrue(ids.containsAll(Set.of("fast", "mock/mock-1", "openai/gpt-4o", "openai/gpt-4o-mini", "gpt-4o",
                "gpt-4o-mini")), ids.toString());
    }

    @Test
    void get_alias_answersModelObject() throws IOException {
        APIGatewayV2HTTPResponse r = handler.handleRequest(EventLoader.loadApiGatewayHttpEvent(
                "events/models-get.json"), null);
        assertEquals(200, r.getStatusCode());
        JsonNode m = body(r);
        assertEquals("fast", m.path("id").asText());
        assertEquals("model", m.path("object").asText());
        assertEquals("switchboard", m.path("owned_by").asText());
    }

    @Test
    void get_providerModelIdWithSlash_answersModelObject() throws IOException {
        APIGatewayV2HTTPEvent e = EventLoader.loadApiGatewayHttpEvent("events/models-get.json");
        e.setRawPath("/v1/models/openai/gpt-4o");
        e.setPathParameters(Map.of("id+", "openai/gpt-4o"));
        APIGatewayV2HTTPResponse r = handler.handleRequest(e, null);
        assertEquals(200, r.getStatusCode());
        assertEquals("openai/gpt-4o", body(r).path("id").asText());
        assertEquals(1715367049L, body(r).path("created").asLong());
    }

    /** A model group (two deployments, two providers) is one model to callers: listed once, answered by its name. */
    @Test
    void modelGroup_listedOnce_andAnsweredByName() throws IOException {
        Map<String, String> env = Env.of(dynamo, null, fakes);
        env.put("SWITCHBOARD_CONFIG", "{\"providers\":{\"mock\":{\"type\":\"mock\"},"
                + "\"openai\":{\"type\":\"openai\",\"baseUrl\":\"" + fakes.base("openai")
                + "\",\"apiKey\":\"env:FAKE_KEY\"}},\"models\":{\"fast\":\"mock/mock-1\","
                + "\"balanced\":{\"deployments\":[{\"route\":\"mock/mock-1\",\"weight\":3},\"openai/gpt-4o\"],"
                + "\"fallbacks\":[\"fast\"]}}}");
        ModelsHandler groups = new ModelsHandler(env);
        JsonNode list = body(groups.handleRequest(EventLoader.loadApiGatewayHttpEvent("events/models-list.json"),
                null));
        int seen = 0;
        for (JsonNode m : list.path("data")) {
            seen += m.path("id").asText().equals("balanced") ? 1 : 0;
        }
        assertEquals(1, seen, list.toString());
        APIGatewayV2HTTPEvent e = EventLoader.loadApiGatewayHttpEvent("events/models-get.json");
        e.setRawPath("/v1/models/balanced");
        e.setPathParameters(Map.of("id+", "balanced"));
        APIGatewayV2HTTPResponse r = groups.handleRequest(e, null);
        assertEquals(200, r.getStatusCode(), r.getBody());
        assertEquals("balanced", body(r).path("id").asText());
        assertEquals("model", body(r).path("object").asText());
    }

    @Test
    void get_unknown_404InOpenAiErrorFormat() throws IOException {
        APIGatewayV2HTTPResponse r = handler.handleRequest(EventLoader.loadApiGatewayHttpEvent(
                "events/models-get-unknown.json"), null);
        assertEquals(404, r.getStatusCode());
        JsonNode error = body(r).path("error");
        assertEquals("model_not_found", error.path("code").asText());
        assertEquals("invalid_request_error", error.path("type").asText());
        assertEquals("model", error.path("param").asText());
        assertTrue(error.path("message").asText().contains("gpt-9"));
    }

    @Test
    void get_malformedEscapeInPath_404NotServerError() throws IOException {
        APIGatewayV2HTTPEvent e = EventLoader.loadApiGatewayHttpEvent("events/models-get.json");
        e.setRawPath("/v1/models/%zz");
        e.setPathParameters(null);
        APIGatewayV2HTTPResponse r = handler.handleRequest(e, null);
        assertEquals(404, r.getStatusCode());
        assertEquals("model_not_found", body(r).path("error").path("code").asText());
    }

    /**
     * The HTTP API's {@code $default} route: 404 {@code unknown_url} in OpenAI's format naming the method and the path
     * (not the query), whatever the key (here one that does not exist: no 401, no key check at all).
     */
    @Test
    void defaultRoute_unknownUrl404_withoutKeyCheck() throws IOException {
        APIGatewayV2HTTPEvent e = EventLoader.loadApiGatewayHttpEvent("events/unknown-url.json");
        APIGatewayV2HTTPResponse r = handler.handleRequest(e, null);
        assertEquals(404, r.getStatusCode());
        assertEquals("application/json", r.getHeaders().get("content-type"));
        assertEquals("req-unknown-url", r.getHeaders().get("x-request-id"));
        JsonNode error = body(r).path("error");
        assertEquals("Unknown request URL: POST /v1/chat/completions/. Please check the URL for typos, or see the docs "
                + "at https://platform.openai.com/docs/api-reference/.", error.path("message").asText());
        assertEquals("invalid_request_error", error.path("type").asText());
        assertTrue(error.path("param").isNull());
        assertEquals("unknown_url", error.path("code").asText());
        Map<String, String> headers = new HashMap<>(e.getHeaders());
        headers.remove("authorization");
        e.setHeaders(headers);
        assertEquals(r.getBody(), handler.handleRequest(e, null).getBody());
    }

    @Test
    void list_withoutKey_401() {
        APIGatewayV2HTTPEvent e = EventLoader.loadApiGatewayHttpEvent("events/models-list.json");
        Map<String, String> headers = new HashMap<>(e.getHeaders());
        headers.remove("authorization");
        e.setHeaders(headers);
        APIGatewayV2HTTPResponse r = handler.handleRequest(e, null);
        assertEquals(401, r.getStatusCode());
        assertEquals("Bearer", r.getHeaders().get("www-authenticate"));
    }

    @Test
    void list_noTableConfigured_servesBundledConfiguration() throws IOException {
        ModelsHandler local = new ModelsHandler(Env.of(dynamo, null, fakes));
        JsonNode list = body(local.handleRequest(EventLoader.loadApiGatewayHttpEvent("events/models-list.json"),
                null));
        Set<String> ids = new HashSet<>();
        list.path("data").forEach(m -> ids.add(m.path("id").asText()));
        assertEquals(Set.of("fast", "mock/mock-1"), ids);
    }

    /** The subset of JSON Schema these two schemas use: type, required, enum, properties. */
    private static void conforms(JsonNode value, JsonNode schema, String where) {
        if (schema.has("required")) {
            schema.path("required").forEach(r -> assertTrue(value.has(r.asText()), where + " lacks " + r.asText()));
        }
        if (schema.has("enum")) {
            boolean any = false;
            for (JsonNode allowed : schema.path("enum")) {
                any |= allowed.equals(value);
            }
            assertTrue(any, where + " = " + value + " not in " + schema.path("enum"));
        }
        switch (schema.path("type").asText("")) {
            case "object" -> assertTrue(value.isObject(), where + " is an object");
            case "array" -> assertTrue(value.isArray(), where + " is an array");
            case "string" -> assertTrue(value.isTextual(), where + " is a string");
            case "integer" -> assertTrue(value.isIntegralNumber(), where + " is an integer");
            default -> {
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            if (value.has(p.getKey()) && !p.getValue().has("$ref") && !p.getValue().has("anyOf")) {
                conforms(value.get(p.getKey()), p.getValue(), where + "." + p.getKey());
            }
        }
    }
}
