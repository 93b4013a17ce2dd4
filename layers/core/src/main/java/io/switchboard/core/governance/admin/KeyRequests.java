package io.switchboard.core.governance.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.json.Json;
import io.switchboard.shared.json.Utf8;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses and validates admin request bodies: every error is a 400 whose {@code param} names the offending field, and
 * whose message never echoes a value back.
 */
final class KeyRequests {
    static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Set<String> CREATE_FIELDS = Set.of("tenant", "name", "models", "rpm", "tpm",
            "budget_daily_usd", "budget_monthly_usd", "expires_at", "metadata");
    private static final Set<String> PATCH_FIELDS = Set.of("name", "models", "rpm", "tpm", "budget_daily_usd",
            "budget_monthly_usd", "expires_at", "metadata", "revoked", "tenant");
    private static final long MAX_LIMIT = 1_000_000_000L;
    private static final BigDecimal MAX_BUDGET = BigDecimal.valueOf(1_000_000_000L);

    private KeyRequests() {
    }

    /**
     * The fields of a create or patch body, validated; absent fields are absent from the map, a JSON {@code null}
     * (clearing an optional field) maps to {@link #CLEAR}.
     */
    static Map<String, Object> parse(byte[] body, boolean create) {
        JsonNode root = object(body);
        Set<String> allowed = create ? CREATE_FIELDS : PATCH_FIELDS;
        Map<String, Object> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String f = e.getKey();
            if (!allowed.contains(f)) {
                throw GatewayException.invalid(safeName(f), "Unknown field '" + safeName(f) + "'.");
            }
            JsonNode v = e.getValue();
            switch (f) {
                case "tenant" -> {
                    if (!create) {
                        throw GatewayException.invalid("tenant", "A key's tenant cannot be changed; create a key.");
                    }
                    out.put(f, tenant(v));
                }
                case "name" -> out.put(f, text(v, f, 1, 128));
                case "models" -> out.put(f, models(v));
                case "rpm", "tpm" -> out.put(f, limit(v, f));
                case "budget_daily_usd", "budget_monthly_usd" -> out.put(f, v.isNull() ? CLEAR : budget(v, f));
                case "expires_at" -> out.put(f, v.isNull() ? CLEAR : instant(v, f));
                case "metadata" -> out.put(f, metadata(v));
                case "revoked" -> {
                    if (!v.isBoolean()) {
                        throw GatewayException.invalid(f, "'revoked' must be true or false.");
                    }
                    out.put(f, v.booleanValue());
                }
                default -> throw new IllegalStateException(f);
            }
        }
        if (create) {
            if (!out.containsKey("tenant")) {
                throw GatewayException.invalid("tenant", "'tenant' is required.");
            }
            if (!out.containsKey("name")) {
                throw GatewayException.invalid("name", "'name' is required.");
            }
        }
        return out;
    }

    /**
     * The body as a JSON object: 400 {@code invalid_json} when it is not one, or not well-formed UTF-8 (refused, as
     * every reader of the gateway refuses it, rather than decoded lossily).
     */
    private static JsonNode object(byte[] body) {
        int bad = body == null ? -1 : Utf8.firstInvalid(body);
        if (bad >= 0) {
            throw GatewayException.of(ErrorKind.INVALID_JSON, "The request body is not valid UTF-8 (byte offset "
                    + bad + ").");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw GatewayException.of(ErrorKind.INVALID_JSON, "The request body is not valid JSON.");
        }
        if (root == null || !root.isObject()) {
            throw GatewayException.of(ErrorKind.INVALID_JSON, "The request body must be a JSON object.");
        }
        return root;
    }

    /**
     * Whether {@code s} is well-formed UTF-16: every surrogate in a pair. A JSON escape such as {@code \ud800} makes
     * a lone one, which no UTF-8 store can keep: it would be saved and shown as {@code ?}.
     */
    static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** A JSON null: clear the field. */
    static final Object CLEAR = new Object();

    static String tenant(JsonNode v) {
        if (!v.isTextual() || !TENANT.matcher(v.asText()).matches()) {
            throw GatewayException.invalid("tenant", "'tenant' must be 1 to 64 letters, digits, '_', '.' or '-', "
                    + "starting with a letter or digit.");
        }
        return v.asText();
    }

    private static String text(JsonNode v, String f, int min, int max) {
        if (!v.isTextual() || v.asText().length() < min || v.asText().length() > max
                || v.asText().chars().anyMatch(Character::isISOControl) || !wellFormed(v.asText())) {
            throw GatewayException.invalid(f, "'" + f + "' must be a string of " + min + " to " + max
                    + " printable characters (well-formed Unicode).");
        }
        return v.asText();
    }

    private static List<String> models(JsonNode v) {
        if (!v.isArray() || v.size() > 100) {
            throw GatewayException.invalid("models", "'models' must be an array of at most 100 model names or "
                    + "patterns ('*' matches any characters).");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode m : v) {
            out.add(text(m, "models", 1, 200));
        }
        return out;
    }

    private static long limit(JsonNode v, String f) {
        if (!v.isIntegralNumber() || v.asLong() < 0 || v.asLong() > MAX_LIMIT || !v.canConvertToLong()) {
            throw GatewayException.invalid(f, "'" + f + "' must be a whole number from 0 (no limit) to "
                    + MAX_LIMIT + ".");
        }
        return v.asLong();
    }

    /**
     * Decimal places a budget keeps: budgets are enforced in nano-USD, rounded up, so that is what is stored and
     * shown (and a key table takes it: DynamoDB refuses numbers below 1e-130 or of over 38 digits).
     */
    static final int BUDGET_SCALE = 9;

    private static BigDecimal budget(JsonNode v, String f) {
        // a float beyond a double (1e309) parses as infinite: refused like any other out-of-range number
        if (!v.isNumber() || (v.isFloatingPointNumber() && !v.isBigDecimal() && !Double.isFinite(v.doubleValue()))
                || v.decimalValue().signum() < 0 || v.decimalValue().compareTo(MAX_BUDGET) > 0) {
            throw GatewayException.invalid(f, "'" + f + "' must be a number of USD from 0 to " + MAX_BUDGET
                    + ", or null for none.");
        }
        BigDecimal d = v.decimalValue().setScale(BUDGET_SCALE, java.math.RoundingMode.CEILING).stripTrailingZeros();
        return d.signum() == 0 ? BigDecimal.ZERO : d;
    }

    private static Instant instant(JsonNode v, String f) {
        try {
            if (v.isIntegralNumber()) {
                return Instant.ofEpochSecond(v.asLong());
            }
            if (v.isTextual()) {
                return Instant.parse(v.asText());
            }
        } catch (java.time.DateTimeException e) {
            // below
        }
        throw GatewayException.invalid(f, "'" + f + "' must be an ISO-8601 instant (2026-12-31T00:00:00Z) or "
                + "epoch seconds, or null for none.");
    }

    private static Map<String, String> metadata(JsonNode v) {
        if (!v.isObject() || v.size() > 32) {
            throw GatewayException.invalid("metadata", "'metadata' must be an object of at most 32 string values.");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().isEmpty() || e.getKey().length() > 64 || !e.getValue().isTextual()
                    || e.getValue().asText().length() > 512 || !wellFormed(e.getKey())
                    || !wellFormed(e.getValue().asText())) {
                throw GatewayException.invalid("metadata", "'metadata' must map names of 1 to 64 characters to "
                        + "strings of at most 512 (well-formed Unicode).");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    /** Tenant limits: {@code {"rpm":..,"tpm":..}}. */
    static long[] tenantLimits(byte[] body) {
        JsonNode root = object(body);
        long rpm = 0;
        long tpm = 0;
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            switch (f) {
                case "rpm" -> rpm = limit(root.get(f), f);
                case "tpm" -> tpm = limit(root.get(f), f);
                default -> throw GatewayException.invalid(safeName(f), "Unknown field '" + safeName(f) + "'.");
            }
        }
        return new long[] {rpm, tpm};
    }

    private static String safeName(String f) {
        String s = f.length() > 64 ? f.substring(0, 64) : f;
        return s.replaceAll("[^A-Za-z0-9_.-]", "?");
    }

    static ObjectNode object() {
        return Json.MAPPER.createObjectNode();
    }
}
