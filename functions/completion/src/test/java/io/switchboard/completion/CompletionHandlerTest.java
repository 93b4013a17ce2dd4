package io.switchboard.completion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.tests.annotations.Event;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.shared.json.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/** The completion handler on the {@code events/} fixtures that {@code sam local invoke -e} also uses. */
class CompletionHandlerTest {
    private final CompletionHandler handler = TestGateways.handler();

    private static JsonNode json(APIGatewayV2HTTPResponse r) throws Exception {
        return Json.MAPPER.readTree(r.getBody());
    }

    @ParameterizedTest
    @Event(value = "events/chat-completion.json", type = APIGatewayV2HTTPEvent.class)
    void handleRequest_chatCompletion_returnsOpenAiCompletion(APIGatewayV2HTTPEvent event) throws Exception {
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);

        assertEquals(200, r.getStatusCode());
        assertEquals("application/json", r.getHeaders().get("content-type"));
        JsonNode body = json(r);
        assertEquals("chat.completion", body.path("object").asText());
        assertTrue(body.path("id").asText().startsWith("chatcmpl-"));
        assertEquals(TestGateways.NOW.getEpochSecond(), body.path("created").asLong());
        assertEquals("mock-1", body.path("model").asText());
        JsonNode choice = body.path("choices").get(0);
        assertEquals("assistant", choice.path("message").path("role").asText());
        assertTrue(choice.path("message").path("content").asText().contains("What is Switchboard?"));
        assertEquals("stop", choice.path("finish_reason").asText());
        JsonNode usage = body.path("usage");
        assertTrue(usage.path("prompt_tokens").asInt() > 0);
        assertTrue(usage.path("completion_tokens").asInt() > 0);
        assertEquals(usage.path("prompt_tokens").asInt() + usage.path("completion_tokens").asInt(),
                usage.path("total_tokens").asInt());
        assertEquals("req-chat-completion", r.getHeaders().get("x-request-id"));
        assertEquals("mock", r.getHeaders().get("x-switchboard-provider"));
        assertTrue(Double.parseDouble(r.getHeaders().get("x-switchboard-upstream-ms")) >= 0);
        assertTrue(Double.parseDouble(r.getHeaders().get("x-switchboard-overhead-ms")) >= 0);
    }

    @ParameterizedTest
    @Event(value = "events/chat-completion-base64.json", type = APIGatewayV2HTTPEvent.class)
    void handleRequest_base64Body_isDecoded(APIGatewayV2HTTPEvent event) throws Exception {
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
        assertEquals(200, r.getStatusCode());
        assertTrue(json(r).path("choices").get(0).path("message").path("content").asText()
                .contains("What is Switchboard?"));
    }

    @ParameterizedTest
    @Event(value = "events/chat-completion-stream.json", type = APIGatewayV2HTTPEvent.class)
    void handleRequest_stream_returnsWellFormedEventStream(APIGatewayV2HTTPEvent event) throws Exception {
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);

        assertEquals(200, r.getStatusCode());
        assertTrue(r.getHeaders().get("content-type").startsWith("text/event-stream"));
        String body = r.getBody();
        assertTrue(body.endsWith("data: [DONE]\n\n"), "stream must end with [DONE]");
        List<JsonNode> chunks = new ArrayList<>();
        for (String event1 : body.split("\n\n")) {
            assertTrue(event1.startsWith("data: "), "every event is a data line");
            String data = event1.substring(6);
            if (!data.equals("[DONE]")) {
                chunks.add(Json.MAPPER.readTree(data));
            }
        }
        assertTrue(chunks.size() >= 3);
        StringBuilder content = new StringBuilder();
        String id = chunks.get(0).path("id").asText();
        for (JsonNode c : chunks) {
            assertEquals("chat.completion.chunk", c.path("object").asText());
            assertEquals(id, c.path("id").asText(), "all chunks share one id");
            for (JsonNode choice : c.path("choices")) {
                content.append(choice.path("delta").path("content").asText(""));
            }
        }
        assertEquals("assistant", chunks.get(0).path("choices").get(0).path("delta").path("role").asText());
        JsonNode last = chunks.get(chunks.size() - 1);
        assertEquals(0, last.path("choices").size(), "include_usage adds a final chunk without choices");
        assertTrue(last.path("usage").path("total_tokens").asInt() > 0);
        assertTrue(content.toString().contains("Stream a short answer."));
    }

    @ParameterizedTest
    @Event(value = "events/chat-completion-tools.json", type = APIGatewayV2HTTPEvent.class)
    void handleRequest_forcedTool_returnsToolCall(APIGatewayV2HTTPEvent event) throws Exception {
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
        assertEquals(200, r.getStatusCode());
        JsonNode choice = json(r).path("choices").get(0);
        assertEquals("tool_calls", choice.path("finish_reason").asText());
        assertEquals("get_weather", choice.path("message").path("tool_calls").get(0).path("function").path("name")
                .asText());
    }

    @ParameterizedTest
    @Event(value = "events/chat-completion-no-auth.json", type = APIGatewayV2HTTPEvent.class)
    void handleRequest_noAuthorization_is401(APIGatewayV2HTTPEvent event) throws Exception {
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
        assertEquals(401, r.getStatusCode());
        assertEquals("invalid_api_key", json(r).path("error").path("code").asText());
        assertEquals("Bearer", r.getHeaders().get("www-authenticate"));
    }

    @ParameterizedTest
    @Event(value = "events/chat-completion-malformed.json", type = APIGatewayV2HTTPEvent.class)
    void handleRequest_malformedJson_is400(APIGatewayV2HTTPEvent event) throws Exception {
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
        assertEquals(400, r.getStatusCode());
        assertEquals("invalid_json", json(r).path("error").path("code").asText());
    }

    @ParameterizedTest
    @Event(value = "events/chat-completion-unknown-model.json", type = APIGatewayV2HTTPEvent.class)
    void handleRequest_unknownModel_is404ModelNotFound(APIGatewayV2HTTPEvent event) throws Exception {
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
        assertEquals(404, r.getStatusCode());
        JsonNode error = json(r).path("error");
        assertEquals("model_not_found", error.path("code").asText());
        assertEquals("model", error.path("param").asText());
    }

    @Test
    void handleRequest_sameRequestTwice_isDeterministic() {
        String body = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"same\"}],\"temperature\":0}";
        APIGatewayV2HTTPResponse a = handler.handleRequest(TestGateways.post(body), null);
        APIGatewayV2HTTPResponse b = handler.handleRequest(TestGateways.post(body), null);
        assertEquals(a.getBody(), b.getBody());
    }

    @Test
    void handleRequest_providerPrefixedModel_routesToThatProvider() throws Exception {
        APIGatewayV2HTTPResponse r = handler.handleRequest(TestGateways.post(
                "{\"model\":\"mock/mock-large\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), null);
        assertEquals(200, r.getStatusCode());
        assertEquals("mock-large", json(r).path("model").asText());
    }

    @Test
    void handleRequest_lambdaContextNearlyOutOfTime_is504BeforeCallingProvider() throws Exception {
        APIGatewayV2HTTPResponse r = handler.handleRequest(TestGateways.post(
                "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), new FixedContext(100));
        assertEquals(504, r.getStatusCode());
        assertEquals("upstream_timeout", json(r).path("error").path("code").asText());
        assertFalse(r.getHeaders().containsKey("x-switchboard-provider"));
    }
}
