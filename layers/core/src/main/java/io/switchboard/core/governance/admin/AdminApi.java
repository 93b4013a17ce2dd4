package io.switchboard.core.governance.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.governance.KeyPage;
import io.switchboard.core.governance.KeyRecord;
import io.switchboard.core.governance.KeyStore;
import io.switchboard.core.governance.SpendKey;
import io.switchboard.core.governance.SpendTotals;
import io.switchboard.core.governance.TenantLimits;
import io.switchboard.core.governance.UsageStore;
import io.switchboard.core.http.ErrorResponses;
import io.switchboard.core.http.GatewayRequest;
import io.switchboard.core.http.GatewayResponse;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The admin API, for admin keys only ({@code SWITCHBOARD_ADMIN_KEYS}):
 * <ul>
 *   <li>{@code POST /v1/admin/keys}: a new key; {@code 201} with its {@code key}, shown this once and never
 *       again (only its SHA-256 is stored);</li>
 *   <li>{@code GET /v1/admin/keys?tenant=&limit=&after=}: a page of keys;</li>
 *   <li>{@code GET}, {@code PATCH}, {@code DELETE /v1/admin/keys/{id}}; {@code POST /v1/admin/keys/{id}/rotate}:
 *       a new key for the same id and settings, the old one stops working;</li>
 *   <li>{@code GET}, {@code PUT /v1/admin/tenants/{tenant}}: the tenant's own rpm and tpm;</li>
 *   <li>{@code GET /v1/admin/usage?tenant=&from=&to=}: spend and tokens per day and model.</li>
 * </ul>
 * Errors are OpenAI's error bodies; a bad field is a 400 naming it in {@code param}. Nothing here logs a key or a
 * request body.
 */
public final class AdminApi {
    /** The routes' prefix. */
    public static final String PREFIX = "/v1/admin/";
    private static final int MAX_BODY_BYTES = 64 * 1024;

    private final Authenticator admins;
    private final KeyStore keys;
    private final UsageStore usage;
    private final InstantSource clock;
    private final SecureRandom random;

    /** An API over {@code keys} and {@code usage} (null: no usage table), for {@code admins}. */
    public AdminApi(Authenticator admins, KeyStore keys, UsageStore usage, InstantSource clock, SecureRandom random) {
        this.admins = Objects.requireNonNull(admins, "admins");
        this.keys = keys;
        this.usage = usage;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** Serves {@code request} with its query parameters ({@code query}, possibly empty); never throws. */
    public GatewayResponse handle(GatewayRequest request, Map<String, String> query) {
        Map<String, String> q = query == null ? Map.of() : query;
        try {
            admins.authenticate(request.header("authorization"));
            if (keys == null) {
                throw GatewayException.of(ErrorKind.INTERNAL, "No keys table is configured (SWITCHBOARD_KEYS_TABLE).");
            }
            if (request.body() != null && request.body().length > MAX_BODY_BYTES) {
                throw GatewayException.of(ErrorKind.PAYLOAD_TOO_LARGE, "The request body is over the limit of "
                        + MAX_BODY_BYTES + " bytes.");
            }
            String path = request.path();
            String m = request.method();
            if (path.equals("/v1/admin/keys")) {
                return switch (m) {
                    case "POST" -> create(request.body());
                    case "GET" -> list(q);
                    default -> throw notAllowed("GET, POST");
                };
            }
            if (path.startsWith("/v1/admin/keys/")) {
                String rest = path.substring("/v1/admin/keys/".length());
                if (rest.endsWith("/rotate")) {
                    if (!m.equals("POST")) {
                        throw notAllowed("POST");
                    }
                    return rotate(id(rest.substring(0, rest.length() - "/rotate".length())));
                }
                String id = id(rest);
                return switch (m) {
                    case "GET" -> json(200, view(existing(id), null));
                    case "PATCH" -> patch(existing(id), request.body());
                    case "DELETE" -> delete(existing(id));
                    default -> throw notAllowed("GET, PATCH, DELETE");
                };
            }
            if (path.startsWith("/v1/admin/tenants/")) {
                String tenant = path.substring("/v1/admin/tenants/".length());
                if (!KeyRequests.TENANT.matcher(tenant).matches()) {
                    throw GatewayException.invalid("tenant", "No such tenant name.");
                }
                return switch (m) {
                    case "GET" -> json(200, tenantView(keys.tenantLimits(tenant)));
                    case "PUT" -> {
                        long[] l = KeyRequests.tenantLimits(request.body());
                        TenantLimits t = new TenantLimits(tenant, l[0], l[1]);
                        keys.putTenantLimits(t);
                        yield json(200, tenantView(t));
                    }
                    default -> throw notAllowed("GET, PUT");
                };
            }
            if (path.equals("/v1/admin/usage")) {
                if (!m.equals("GET")) {
                    throw notAllowed("GET");
                }
                return usage(q);
            }
            throw GatewayException.of(ErrorKind.NOT_FOUND, "No route for this path.");
        } catch (GatewayException e) {
            if (e.status() >= 500) {
                log(e.code(), e.getCause());
            }
            GatewayResponse r = ErrorResponses.of(e);
            if (e.kind() == ErrorKind.METHOD_NOT_ALLOWED) {
                r.headers().put("allow", e.getMessage().substring("Use ".length(), e.getMessage().indexOf(" for")));
            }
            return r;
        } catch (RuntimeException e) {
            log("internal_error", e);
            return ErrorResponses.internal();
        }
    }

    private static GatewayException notAllowed(String methods) {
        return GatewayException.of(ErrorKind.METHOD_NOT_ALLOWED, "Use " + methods + " for this route.");
    }

    private static String id(String raw) {
        if (!raw.matches("key_[0-9a-f]{16}")) {
            throw GatewayException.of(ErrorKind.NOT_FOUND, "No key with this id.");
        }
        return raw;
    }

    private KeyRecord existing(String id) {
        return keys.get(id).orElseThrow(() -> GatewayException.of(ErrorKind.NOT_FOUND, "No key with this id."));
    }

    private GatewayResponse create(byte[] body) {
        Map<String, Object> f = KeyRequests.parse(body, true);
        Instant now = clock.instant();
        String secret = newSecret();
        Instant expires = instantOrNull(f.get("expires_at"));
        if (expires != null && !expires.isAfter(now)) {
            throw GatewayException.invalid("expires_at", "'expires_at' must be in the future.");
        }
        @SuppressWarnings("unchecked")
        KeyRecord k = new KeyRecord(newId(), Authenticator.sha256Hex(secret), (String) f.get("tenant"),
                (String) f.get("name"), (List<String>) f.getOrDefault("models", List.of()),
                (long) f.getOrDefault("rpm", 0L), (long) f.getOrDefault("tpm", 0L),
                decimalOrNull(f.get("budget_daily_usd")), decimalOrNull(f.get("budget_monthly_usd")), expires, false,
                (Map<String, String>) f.getOrDefault("metadata", Map.of()), now, now, 1);
        keys.create(k);
        return json(201, view(k, secret));
    }

    @SuppressWarnings("unchecked")
    private GatewayResponse patch(KeyRecord old, byte[] body) {
        Map<String, Object> f = KeyRequests.parse(body, false);
        Instant expires = f.containsKey("expires_at") ? instantOrNull(f.get("expires_at")) : old.expiresAt();
        KeyRecord k = new KeyRecord(old.id(), old.hash(), old.tenant(),
                (String) f.getOrDefault("name", old.name()),
                (List<String>) f.getOrDefault("models", old.models()),
                (long) f.getOrDefault("rpm", old.rpm()), (long) f.getOrDefault("tpm", old.tpm()),
                f.containsKey("budget_daily_usd") ? decimalOrNull(f.get("budget_daily_usd")) : old.budgetDailyUsd(),
                f.containsKey("budget_monthly_usd") ? decimalOrNull(f.get("budget_monthly_usd"))
                        : old.budgetMonthlyUsd(),
                expires, (boolean) f.getOrDefault("revoked", old.revoked()),
                (Map<String, String>) f.getOrDefault("metadata", old.metadata()), old.createdAt(), clock.instant(),
                old.version() + 1);
        if (!keys.replace(old, k)) {
            throw GatewayException.of(ErrorKind.INVALID_REQUEST, "The key changed meanwhile; read it and retry.")
                    .withCode("conflict");
        }
        return json(200, view(k, null));
    }

    private GatewayResponse delete(KeyRecord k) {
        keys.delete(k);
        ObjectNode n = KeyRequests.object();
        n.put("id", k.id());
        n.put("object", "gateway.key");
        n.put("deleted", true);
        return json(200, n);
    }

    private GatewayResponse rotate(String id) {
        KeyRecord old = existing(id);
        String secret = newSecret();
        KeyRecord k = old.withHash(Authenticator.sha256Hex(secret), clock.instant());
        if (!keys.replace(old, k)) {
            throw GatewayException.of(ErrorKind.INVALID_REQUEST, "The key changed meanwhile; retry.")
                    .withCode("conflict");
        }
        return json(200, view(k, secret));
    }

    private GatewayResponse list(Map<String, String> q) {
        String tenant = q.get("tenant");
        if (tenant != null && !KeyRequests.TENANT.matcher(tenant).matches()) {
            throw GatewayException.invalid("tenant", "'tenant' is not a valid tenant name.");
        }
        int limit = 50;
        if (q.containsKey("limit")) {
            try {
                limit = Integer.parseInt(q.get("limit"));
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > 100) {
                throw GatewayException.invalid("limit", "'limit' must be 1 to 100.");
            }
        }
        KeyPage page;
        try {
            page = keys.list(tenant, limit, q.get("after"));
        } catch (IllegalArgumentException e) {
            throw GatewayException.invalid("after", "'after' is not a cursor this API returned.");
        }
        ObjectNode n = KeyRequests.object();
        n.put("object", "list");
        ArrayNode data = n.putArray("data");
        page.keys().forEach(k -> data.add(view(k, null)));
        n.put("has_more", page.next() != null);
        if (page.next() != null) {
            n.put("next", page.next());
        }
        return json(200, n);
    }

    private GatewayResponse usage(Map<String, String> q) {
        String tenant = q.get("tenant");
        if (tenant == null || !KeyRequests.TENANT.matcher(tenant).matches()) {
            throw GatewayException.invalid("tenant", "'tenant' is required and must be a tenant name.");
        }
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        LocalDate to = date(q, "to", today);
        LocalDate from = date(q, "from", to);
        if (from.isAfter(to)) {
            throw GatewayException.invalid("from", "'from' must not be after 'to'.");
        }
        if (ChronoUnit.DAYS.between(from, to) > 366) {
            throw GatewayException.invalid("from", "At most 367 days at once.");
        }
        if (usage == null) {
            throw GatewayException.of(ErrorKind.INTERNAL, "No usage table is configured (SWITCHBOARD_USAGE_TABLE).");
        }
        Map<String, SpendTotals> byDayModel = new TreeMap<>();
        SpendTotals total = SpendTotals.ZERO;
        for (UsageStore.UsageRow r : usage.read(tenant, from, to)) {
            SpendKey k = r.key();
            byDayModel.merge(k.day() + "\u0000" + k.model(), r.totals(), SpendTotals::plus);
            total = total.plus(r.totals());
        }
        ObjectNode n = KeyRequests.object();
        n.put("object", "usage");
        n.put("tenant", tenant);
        n.put("from", from.toString());
        n.put("to", to.toString());
        ArrayNode data = n.putArray("data");
        byDayModel.forEach((k, t) -> {
            ObjectNode row = totals(t);
            row.put("day", k.substring(0, k.indexOf('\u0000')));
            row.put("model", k.substring(k.indexOf('\u0000') + 1));
            data.add(row);
        });
        n.set("total", totals(total));
        return json(200, n);
    }

    private static ObjectNode totals(SpendTotals t) {
        ObjectNode row = KeyRequests.object();
        row.put("requests", t.requests());
        row.put("prompt_tokens", t.promptTokens());
        row.put("completion_tokens", t.completionTokens());
        row.put("cached_tokens", t.cachedTokens());
        row.put("cost_usd", t.costUsd());
        return row;
    }

    private static LocalDate date(Map<String, String> q, String name, LocalDate fallback) {
        String v = q.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return LocalDate.parse(v);
        } catch (DateTimeParseException e) {
            throw GatewayException.invalid(name, "'" + name + "' must be a date as YYYY-MM-DD (UTC).");
        }
    }

    /** A key's settings as the API shows them: never its hash; its {@code key} only when just made. */
    static ObjectNode view(KeyRecord k, String secret) {
        ObjectNode n = KeyRequests.object();
        n.put("id", k.id());
        n.put("object", "gateway.key");
        if (secret != null) {
            n.put("key", secret);
        }
        n.put("tenant", k.tenant());
        n.put("name", k.name());
        ArrayNode models = n.putArray("models");
        k.models().forEach(models::add);
        n.put("rpm", k.rpm());
        n.put("tpm", k.tpm());
        putDecimal(n, "budget_daily_usd", k.budgetDailyUsd());
        putDecimal(n, "budget_monthly_usd", k.budgetMonthlyUsd());
        if (k.expiresAt() == null) {
            n.putNull("expires_at");
        } else {
            n.put("expires_at", k.expiresAt().toString());
        }
        n.put("revoked", k.revoked());
        ObjectNode meta = n.putObject("metadata");
        k.metadata().forEach(meta::put);
        n.put("created_at", k.createdAt().toString());
        n.put("updated_at", k.updatedAt().toString());
        return n;
    }

    private static ObjectNode tenantView(TenantLimits t) {
        ObjectNode n = KeyRequests.object();
        n.put("object", "gateway.tenant");
        n.put("tenant", t.tenant());
        n.put("rpm", t.rpm());
        n.put("tpm", t.tpm());
        return n;
    }

    private static void putDecimal(ObjectNode n, String name, BigDecimal v) {
        if (v == null) {
            n.putNull(name);
        } else {
            n.put(name, v);
        }
    }

    private static Instant instantOrNull(Object v) {
        return v instanceof Instant i ? i : null;
    }

    private static BigDecimal decimalOrNull(Object v) {
        return v instanceof BigDecimal d ? d : null;
    }

    private String newSecret() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return "sk-sb-" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private String newId() {
        byte[] b = new byte[8];
        random.nextBytes(b);
        return "key_" + HexFormat.of().formatHex(b);
    }

    private static GatewayResponse json(int status, ObjectNode body) {
        Map<String, String> h = new HashMap<>(4);
        h.put("content-type", "application/json");
        h.put("cache-control", "no-store");
        return new GatewayResponse(status, h, body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void log(String code, Throwable cause) {
        System.err.println("{\"level\":\"ERROR\",\"route\":\"admin\",\"code\":\"" + code + "\",\"cause\":\""
                + (cause == null ? "" : cause.getClass().getName()) + "\"}");
    }
}
