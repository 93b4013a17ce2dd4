package io.switchboard.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Builds API Gateway HTTP API payload v2 events as API Gateway sends them, and reads the function's answers. */
final class HttpApiEvents {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** A response as API Gateway would return it. */
    record Answer(int status, Map<String, String> headers, List<String> cookies, byte[] body) {
    }

    private HttpApiEvents() {
    }

    /** The v2 event for one HTTP request. */
    static byte[] event(Route route, String method, String path, String query, Map<String, List<String>> headers,
            byte[] body, String requestId, String sourceIp, Instant now) throws IOException {
        ObjectNode e = JSON.createObjectNode();
        e.put("version", "2.0");
        e.put("routeKey", route.key());
        e.put("rawPath", path);
        e.put("rawQueryString", query == null ? "" : query);
        ObjectNode h = e.putObject("headers");
        ArrayNode cookies = null;
        String userAgent = "";
        String contentType = "";
        String contentEncoding = "";
        for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
            String name = entry.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("cookie")) {
                cookies = cookies == null ? e.putArray("cookies") : cookies;
                for (String c : entry.getValue()) {
                    for (String part : c.split(";")) {
                        cookies.add(part.strip());
                    }
                }
                continue;
            }
            String value = String.join(",", entry.getValue());
            h.put(name, value);
            if (name.equals("user-agent")) {
                userAgent = value;
            } else if (name.equals("content-encoding")) {
                contentEncoding = value.strip().toLowerCase(Locale.ROOT);
            } else if (name.equals("content-type")) {
                contentType = value.toLowerCase(Locale.ROOT);
            }
        }
        if (query != null && !query.isEmpty()) {
            ObjectNode q = e.putObject("queryStringParameters");
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String k = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                q.put(k, q.has(k) ? q.get(k).asText() + "," + v : v);
            }
        }
        Map<String, String> pathParameters = route.pathParameters(path);
        if (pathParameters != null && !pathParameters.isEmpty()) {
            ObjectNode pp = e.putObject("pathParameters");
            pathParameters.forEach(pp::put);
        }
        ObjectNode ctx = e.putObject("requestContext");
        ctx.put("accountId", "123456789012");
        ctx.put("apiId", "local");
        ctx.put("domainName", "127.0.0.1");
        ctx.put("domainPrefix", "local");
        ObjectNode http = ctx.putObject("http");
        http.put("method", method);
        http.put("path", path);
        http.put("protocol", "HTTP/1.1");
        http.put("sourceIp", sourceIp);
        http.put("userAgent", userAgent);
        ctx.put("requestId", requestId);
        ctx.put("routeKey", route.key());
        ctx.put("stage", "$default");
        ctx.put("time", TIME.format(now));
        ctx.put("timeEpoch", now.toEpochMilli());
        if (body.length > 0) {
            boolean text = contentType.isEmpty() || contentType.startsWith("text/") || contentType.contains("json")
                    || contentType.contains("xml") || contentType.contains("x-www-form-urlencoded");
            // a content-encoded body or one that is not UTF-8 is passed base64-encoded, byte for byte: decoding it
            // as text here would replace its bytes and hide from the handler what was sent
            text = text && (contentEncoding.isEmpty() || contentEncoding.equals("identity")) && io.switchboard.shared.json.Utf8.firstInvalid(body) < 0;
            e.put("body", text ? new String(body, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(body));
            e.put("isBase64Encoded", !text);
        } else {
            e.put("isBase64Encoded", false);
        }
        return JSON.writeValueAsBytes(e);
    }

    /** Reads the function's v2 response JSON as API Gateway interprets it. */
    static Answer answer(byte[] responseJson) throws IOException {
        JsonNode r = JSON.readTree(responseJson);
        if (r == null || !r.isObject() || !r.has("statusCode")) {
            // API Gateway's rule for payload v2: a result without statusCode is a 200 JSON body
            return new Answer(200, Map.of("content-type", "application/json"), List.of(),
                    responseJson == null ? new byte[0] : responseJson);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = r.path("headers").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> h = it.next();
            headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue().asText());
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = r.path("multiValueHeaders").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> h = it.next();
            StringBuilder sb = new StringBuilder();
            for (JsonNode v : h.getValue()) {
                sb.append(sb.isEmpty() ? "" : ",").append(v.asText());
            }
            headers.put(h.getKey().toLowerCase(Locale.ROOT), sb.toString());
        }
        List<String> cookies = new java.util.ArrayList<>();
        for (JsonNode c : r.path("cookies")) {
            cookies.add(c.asText());
        }
        String body = r.path("body").asText("");
        byte[] bytes = r.path("isBase64Encoded").asBoolean(false) ? Base64.getDecoder().decode(body)
                : body.getBytes(StandardCharsets.UTF_8);
        return new Answer(r.path("statusCode").asInt(500), headers, cookies, bytes);
    }
}
