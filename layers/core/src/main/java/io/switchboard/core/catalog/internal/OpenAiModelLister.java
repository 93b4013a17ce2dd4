package io.switchboard.core.catalog.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.catalog.DiscoveredModel;
import io.switchboard.core.catalog.ModelDiscovery.ListingException;
import io.switchboard.core.catalog.ModelLister;
import io.switchboard.core.secrets.SecretResolver;
import io.switchboard.shared.config.ProviderConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * OpenAI-compatible {@code GET {baseUrl}/models}: {@code {"object":"list","data":[{"id","created","owned_by"}]}}.
 * Context windows are read where compatible servers report them ({@code context_window} on Groq,
 * {@code context_length} on OpenRouter and Together, {@code max_model_len} on vLLM).
 */
public final class OpenAiModelLister implements ModelLister {
    private final Supplier<HttpClient> http;
    private final SecretResolver secrets;

    /** A lister over the environment's HTTP client and secrets. */
    public OpenAiModelLister(Supplier<HttpClient> http, SecretResolver secrets) {
        this.http = http;
        this.secrets = secrets;
    }

    @Override
    public List<DiscoveredModel> list(ProviderConfig p, Duration timeout) throws Exception {
        Map<String, String> auth = p.apiKey() == null ? Map.of()
                : Map.of("authorization", "Bearer " + secrets.resolve(p.apiKey()));
        JsonNode root = HttpListing.get(http.get(), URI.create(p.baseUrl() + "/models"), p, auth, timeout);
        JsonNode data = root.get("data");
        if (data == null || !data.isArray()) {
            throw new ListingException("invalid_response");
        }
        List<DiscoveredModel> out = new ArrayList<>(data.size());
        for (JsonNode m : data) {
            String id = m.path("id").asText("");
            if (id.isBlank()) {
                continue;
            }
            List<String> in = new ArrayList<>();
            m.path("architecture").path("input_modalities").forEach(x -> in.add(x.asText().toLowerCase(Locale.ROOT)));
            List<String> outM = new ArrayList<>();
            m.path("architecture").path("output_modalities")
                    .forEach(x -> outM.add(x.asText().toLowerCase(Locale.ROOT)));
            out.add(new DiscoveredModel(id, m.path("owned_by").asText(p.name()), m.path("created").asLong(0),
                    HttpListing.positiveInt(m, "context_window", "context_length", "max_model_len"), in, outM));
        }
        return out;
    }
}
