package io.switchboard.core.catalog.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.catalog.ModelDiscovery.ListingException;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** One bounded {@code GET} of a provider's JSON, shared by the HTTP listers. */
final class HttpListing {
    /** A model list larger than this is refused rather than buffered. */
    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    private HttpListing() {
    }

    static JsonNode get(HttpClient http, URI uri, ProviderConfig provider, Map<String, String> auth,
            Duration timeout) throws IOException, InterruptedException, ListingException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).GET().header("accept", "application/json");
        provider.headers().forEach(b::header);
        auth.forEach(b::header);
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() / 100 != 2) {
            throw new ListingException("http_" + r.statusCode());
        }
        if (r.body().length > MAX_BODY_BYTES) {
            throw new ListingException("response_too_large");
        }
        try {
            JsonNode n = Json.MAPPER.readTree(r.body());
            if (n == null || !n.isObject()) {
                throw new ListingException("invalid_response");
            }
            return n;
        } catch (IOException e) {
            throw new ListingException("invalid_response");
        }
    }

    static Integer positiveInt(JsonNode n, String... fields) {
        for (String f : fields) {
            JsonNode v = n.get(f);
            if (v != null && v.canConvertToInt() && v.asInt() > 0) {
                return v.asInt();
            }
        }
        return null;
    }
}
