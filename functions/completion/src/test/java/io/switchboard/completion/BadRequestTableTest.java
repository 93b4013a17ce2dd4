package io.switchboard.completion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.shared.json.Json;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad requests, each with the status, OpenAI error code and {@code param} it must get. Every error body is checked
 * for OpenAI's shape and for leaks: it never repeats the prompt or the key.
 */
class BadRequestTableTest {
    private static final String PROMPT = "PROMPT-SECRET-7f3a";
    private static final String MSG = "[{\"role\":\"user\",\"content\":\"" + PROMPT + "\"}]";
    private static final CompletionHandler HANDLER = TestGateways.handler("SWITCHBOARD_MAX_REQUEST_BYTES", "2048");

    private static String chat(String extra) {
        return "{\"model\":\"fast\",\"messages\":" + MSG + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // name, body, status, code, param
                row("empty body", "", 400, "invalid_value", null),
                row("malformed JSON", "{\"model\":\"fast\",", 400, "invalid_json", null),
                row("trailing garbage", chat("") + " {}", 400, "invalid_json", null),
                row("duplicate key", "{\"model\":\"fast\",\"model\":\"x\",\"messages\":" + MSG + "}", 400,
                        "invalid_json", null),
                row("array body", "[1,2]", 400, "invalid_value", null),
                row("missing model", "{\"messages\":" + MSG + "}", 400, "invalid_value", "model"),
                row("model not a string", "{\"model\":7,\"messages\":" + MSG + "}", 400, "invalid_value", "model"),
                row("blank model", "{\"model\":\" \",\"messages\":" + MSG + "}", 400, "invalid_value", "model"),
                row("missing messages", "{\"model\":\"fast\"}", 400, "invalid_value", "messages"),
                row("messages not array", "{\"model\":\"fast\",\"messages\":{}}", 400, "invalid_value", "messages"),
                row("messages empty", "{\"model\":\"fast\",\"messages\":[]}", 400, "invalid_value", "messages"),
                row("message not object", "{\"model\":\"fast\",\"messages\":[\"hi\"]}", 400, "invalid_value",
                        "messages[0]"),
                row("missing role", "{\"model\":\"fast\",\"messages\":[{\"content\":\"" + PROMPT + "\"}]}", 400,
                        "invalid_value", "messages[0].role"),
                row("unknown role", "{\"model\":\"fast\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}",
                        400, "invalid_value", "messages[0].role"),
                row("user without content", "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\"}]}", 400,
                        "invalid_value", "messages[0].content"),
                row("content a number", "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":5}]}", 400,
                        "invalid_value", "messages[0].content"),
                row("content part without type",
                        "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"x\"}]}]}", 400,
                        "invalid_value", "messages[0].content[0].type"),
                row("tool message without tool_call_id",
                        "{\"model\":\"fast\",\"messages\":[{\"role\":\"tool\",\"content\":\"42\"}]}", 400,
                        "invalid_value", "messages[0].tool_call_id"),
                row("temperature too high", chat("\"temperature\":2.5"), 400, "invalid_value", "temperature"),
                row("temperature a string", chat("\"temperature\":\"hot\""), 400, "invalid_value", "temperature"),
                row("top_p above 1", chat("\"top_p\":1.5"), 400, "invalid_value", "top_p"),
                row("max_tokens zero", chat("\"max_tokens\":0"), 400, "invalid_value", "max_tokens"),
                row("max_completion_tokens fractional", chat("\"max_completion_tokens\":1.5"), 400, "invalid_value",
                        "max_completion_tokens"),
                row("n too large", chat("\"n\":500"), 400, "invalid_value", "n"),
                row("five stop sequences", chat("\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]"), 400, "invalid_value",
                        "stop"),
                row("stop a number", chat("\"stop\":3"), 400, "invalid_value", "stop"),
                row("stream not boolean", chat("\"stream\":\"yes\""), 400, "invalid_value", "stream"),
                row("stream_options without stream", chat("\"stream_options\":{\"include_usage\":true}"), 400,
                        "invalid_value", "stream_options"),
                row("seed fractional", chat("\"seed\":1.5"), 400, "invalid_value", "seed"),
                row("response_format unknown type", chat("\"response_format\":{\"type\":\"yaml\"}"), 400,
                        "invalid_value", "response_format.type"),
                row("tools not array", chat("\"tools\":{}"), 400, "invalid_value", "tools"),
                row("tool without function name", chat("\"tools\":[{\"type\":\"function\",\"function\":{}}]"), 400,
                        "invalid_value", "tools[0].function.name"),
                row("tool_choice unknown string", chat("\"tools\":[{\"type\":\"function\",\"function\":"
                        + "{\"name\":\"f\"}}],\"tool_choice\":\"sometimes\""), 400, "invalid_value", "tool_choice"),
                row("presence_penalty out of range", chat("\"presence_penalty\":3"), 400, "invalid_value",
                        "presence_penalty"),
                row("user not a string", chat("\"user\":42"), 400, "invalid_value", "user"),
                row("body over the limit", chat("\"metadata\":{\"pad\":\"" + "x".repeat(4096) + "\"}"), 413,
                        "request_too_large", null),
                row("unknown model", "{\"model\":\"gpt-9\",\"messages\":" + MSG + "}", 404, "model_not_found",
                        "model"),
                row("unknown provider prefix", "{\"model\":\"nope/model\",\"messages\":" + MSG + "}", 404,
                        "model_not_found", "model"));
    }

    private static Arguments row(String name, String body, int status, String code, String param) {
        return Arguments.of(name, body, status, code, param);
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("cases")
    void handleRequest_badRequest_isRejectedWithOpenAiError(String name, String body, int status, String code,
            String param) throws Exception {
        APIGatewayV2HTTPResponse r = HANDLER.handleRequest(TestGateways.post(body), null);
        assertError(r, status, code, param);
    }

    static Stream<Arguments> protocolCases() {
        Map<String, String> noAuth = new HashMap<>(Map.of("content-type", "application/json"));
        Map<String, String> wrongKey = new HashMap<>(noAuth);
        wrongKey.put("authorization", "Bearer sk-wrong-" + PROMPT);
        Map<String, String> basic = new HashMap<>(noAuth);
        basic.put("authorization", "Basic dXNlcjpwYXNz");
        Map<String, String> xml = new HashMap<>();
        xml.put("authorization", "Bearer " + TestGateways.KEY);
        xml.put("content-type", "application/xml");
        Map<String, String> ok = new HashMap<>();
        ok.put("authorization", "Bearer " + TestGateways.KEY);
        ok.put("content-type", "application/json");
        String body = chat("");
        return Stream.of(
                Arguments.of("missing key", TestGateways.event("POST", "/v1/chat/completions", noAuth, body), 401,
                        "invalid_api_key", null),
                Arguments.of("wrong key", TestGateways.event("POST", "/v1/chat/completions", wrongKey, body), 401,
                        "invalid_api_key", null),
                Arguments.of("basic auth", TestGateways.event("POST", "/v1/chat/completions", basic, body), 401,
                        "invalid_api_key", null),
                Arguments.of("xml content type", TestGateways.event("POST", "/v1/chat/completions", xml, body), 415,
                        "unsupported_media_type", null),
                Arguments.of("GET on completions", TestGateways.event("GET", "/v1/chat/completions", ok, null), 405,
                        "method_not_allowed", null),
                Arguments.of("unknown path", TestGateways.event("POST", "/v1/images/generations", ok, body), 404,
                        "not_found", null),
                Arguments.of("invalid base64", base64Garbage(ok), 400, "invalid_value", null));
    }

    private static APIGatewayV2HTTPEvent base64Garbage(Map<String, String> headers) {
        APIGatewayV2HTTPEvent e = TestGateways.event("POST", "/v1/chat/completions", headers, "%%%not-base64%%%");
        e.setIsBase64Encoded(true);
        return e;
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("protocolCases")
    void handleRequest_badProtocol_isRejectedWithOpenAiError(String name, APIGatewayV2HTTPEvent event, int status,
            String code, String param) throws Exception {
        assertError(HANDLER.handleRequest(event, null), status, code, param);
    }

    private static void assertError(APIGatewayV2HTTPResponse r, int status, String code, String param)
            throws Exception {
        assertEquals(status, r.getStatusCode(), r.getBody());
        assertEquals("application/json", r.getHeaders().get("content-type"));
        JsonNode root = Json.MAPPER.readTree(r.getBody());
        assertEquals(1, root.size(), "only an 'error' member");
        JsonNode error = root.get("error");
        assertTrue(error.path("message").isTextual() && !error.path("message").asText().isBlank());
        assertTrue(error.path("type").isTextual());
        assertTrue(error.has("param"), "param is always present (null when not about a field)");
        assertEquals(code, error.path("code").asText());
        if (param == null) {
            assertTrue(error.get("param").isNull(), "param: " + error.get("param"));
        } else {
            assertEquals(param, error.get("param").asText());
        }
        assertFalse(r.getBody().contains(PROMPT), "the error body repeats the prompt or key");
        assertFalse(r.getBody().contains(TestGateways.KEY), "the error body repeats the key");
    }
}
