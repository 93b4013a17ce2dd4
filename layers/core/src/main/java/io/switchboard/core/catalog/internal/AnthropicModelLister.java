package io.switchboard.core.catalog.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.catalog.DiscoveredModel;
import io.switchboard.core.catalog.ModelDiscovery.ListingException;
import io.switchboard.core.catalog.ModelLister;
import io.switchboard.core.secrets.SecretResolver;
import io.switchboard.shared.config.ProviderConfig;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Anthropic's {@code GET {baseUrl}/models} ({@code baseUrl} like {@code https://api.anthropic.com/v1}) with
 * {@code x-api-key} and {@code anthropic-version}, following {@code has_more}/{@code last_id} pages:
 * {@code {"data":[{"id","display_name","created_at","type":"model"}],"has_more","first_id","last_id"}}.
 */
public final class AnthropicModelLister implements ModelLister {
    /** The API version sent. */
    public static final String API_VERSION = "2023-06-01";
    private static final int MAX_PAGES = 50;

    private final Supplier<HttpClient> http;
    private final SecretResolver secrets;

    /** A lister over the environment's HTTP client and secrets. */
    public AnthropicModelLister(Supplier<HttpClient> http, SecretResolver secrets) {
        this.http = http;
        this.secrets = secrets;
    }

    @Override
    public List<DiscoveredModel> list(ProviderConfig p, Duration timeout) throws Exception {
        Map<String, String> headers = new HashMap<>();
        headers.put("anthropic-version", API_VERSION);
        if (p.apiKey() != null) {
            headers.put("x-api-key", secrets.resolve(p.apiKey()));
        }
        List<DiscoveredModel> out = new ArrayList<>();
        String after = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            String uri = p.baseUrl() + "/models?limit=1000"
                    + (after == null ? "" : "&after_id=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
            JsonNode root = HttpListing.get(http.get(), URI.create(uri), p, headers, timeout);
            JsonNode data = root.get("data");
            if (data == null || !data.isArray()) {
                throw new ListingException("invalid_response");
            }
            for (JsonNode m : data) {
                String id = m.path("id").asText("");
                if (!id.isBlank()) {
                    out.add(new DiscoveredModel(id, "anthropic", created(m.path("created_at").asText("")),
                            HttpListing.positiveInt(m, "max_input_tokens"), List.of(), List.of()));
                }
            }
            if (!root.path("has_more").asBoolean(false) || root.path("last_id").asText("").isEmpty()) {
                return out;
            }
            after = root.path("last_id").asText();
        }
        throw new ListingException("too_many_pages");
    }

    private static long created(String rfc3339) {
        try {
            return rfc3339.isEmpty() ? 0 : Instant.parse(rfc3339).getEpochSecond();
        } catch (DateTimeParseException e) {
            return 0;
        }
    }
}
