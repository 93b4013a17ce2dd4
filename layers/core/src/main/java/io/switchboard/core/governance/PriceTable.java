package io.switchboard.core.governance;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Prices per model: the bundled defaults ({@code prices.json} beside this class: public list prices of common
 * models) overridden model by model by {@code SWITCHBOARD_PRICES} (the same JSON shape:
 * {@code {"model":{"input":2.5,"output":10,"cached_input":1.25}}}, USD per million tokens). A name is priced by its
 * exact entry, else the longest entry it starts with (dated snapshots), else the longest entry it contains (Bedrock
 * ids such as {@code us.anthropic.claude-sonnet-4-...}); an unknown model costs nothing.
 */
public final class PriceTable {
    private final Map<String, Price> prices;

    private PriceTable(Map<String, Price> prices) {
        this.prices = Map.copyOf(prices);
    }

    /** The bundled defaults with {@code overridesJson} (null or blank: none) on top. */
    public static PriceTable withOverrides(String overridesJson) {
        Map<String, Price> m = new HashMap<>();
        try (InputStream in = PriceTable.class.getResourceAsStream("prices.json")) {
            if (in == null) {
                throw new IllegalStateException("prices.json is missing from the layer");
            }
            read(Json.MAPPER.readTree(in), m, "prices.json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (overridesJson != null && !overridesJson.isBlank()) {
            try {
                read(Json.MAPPER.readTree(overridesJson), m, "SWITCHBOARD_PRICES");
            } catch (IOException e) {
                throw new IllegalArgumentException("SWITCHBOARD_PRICES is not valid JSON", e);
            }
        }
        return new PriceTable(m);
    }

    /** Exactly {@code prices}. */
    public static PriceTable of(Map<String, Price> prices) {
        return new PriceTable(prices);
    }

    private static void read(JsonNode root, Map<String, Price> into, String source) {
        if (!root.isObject()) {
            throw new IllegalArgumentException(source + " must be a JSON object of model: price");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().startsWith("_")) {
                continue;
            }
            JsonNode p = e.getValue();
            if (!p.path("input").isNumber() || !p.path("output").isNumber()) {
                throw new IllegalArgumentException(source + ": " + e.getKey() + " needs numeric input and output");
            }
            BigDecimal input = p.get("input").decimalValue();
            into.put(e.getKey(), new Price(input, p.get("output").decimalValue(),
                    p.path("cached_input").isNumber() ? p.get("cached_input").decimalValue() : input));
        }
    }

    /** The price of {@code model}, or null when unknown. */
    public Price price(String model) {
        if (model == null) {
            return null;
        }
        Price exact = prices.get(model);
        if (exact != null) {
            return exact;
        }
        String best = null;
        for (String k : prices.keySet()) {
            if (model.startsWith(k) && (best == null || k.length() > best.length())) {
                best = k;
            }
        }
        if (best == null) {
            for (String k : prices.keySet()) {
                if (model.contains(k) && (best == null || k.length() > best.length())) {
                    best = k;
                }
            }
        }
        return best == null ? null : prices.get(best);
    }
}
