package io.switchboard.completion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.tests.annotations.Event;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.shared.json.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/** {@code POST /v1/embeddings} through the HTTP API handler, on the {@code events/embeddings.json} fixture. */
class EmbeddingsHandlerTest {
    private final CompletionHandler handler = TestGateways.handler();

    @ParameterizedTest
    @Event(value = "events/embeddings.json", type = APIGatewayV2HTTPEvent.class)
    void handleRequest_embeddings_returnsOpenAiList(APIGatewayV2HTTPEvent event) throws Exception {
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);

        assertEquals(200, r.getStatusCode(), r.getBody());
        assertEquals("application/json", r.getHeaders().get("content-type"));
        JsonNode body = Json.MAPPER.readTree(r.getBody());
        assertEquals("list", body.path("object").asText());
        assertEquals("mock-1", body.path("model").asText());
        assertEquals(2, body.path("data").size());
        assertEquals(16, body.path("data").get(1).path("embedding").size());
        assertTrue(body.path("usage").path("prompt_tokens").asInt() > 0);
        assertEquals("req-embeddings", r.getHeaders().get("x-request-id"));
        assertEquals("mock", r.getHeaders().get("x-switchboard-provider"));
        assertEquals("MISS", r.getHeaders().get("x-switchboard-cache"));
        assertEquals("HIT-L1", handler.handleRequest(event, null).getHeaders().get("x-switchboard-cache"));
    }

    @Test
    void handleRequest_wrongMethodAndBadInput() throws Exception {
        APIGatewayV2HTTPResponse get = handler.handleRequest(TestGateways.event("GET", "/v1/embeddings",
                Map.of("authorization", "Bearer " + TestGateways.KEY), null), null);
        assertEquals(405, get.getStatusCode());
        APIGatewayV2HTTPResponse bad = handler.handleRequest(TestGateways.event("POST", "/embeddings",
                Map.of("authorization", "Bearer " + TestGateways.KEY, "content-type", "application/json"),
                "{\"model\":\"fast\",\"input\":[\"ok\",\"\"]}"), null);
        assertEquals(400, bad.getStatusCode());
        assertEquals("input[1]", Json.MAPPER.readTree(bad.getBody()).path("error").path("param").asText());
    }
}
