package io.switchboard.core.governance.internal;

import io.switchboard.core.governance.KeyPage;
import io.switchboard.core.governance.KeyRecord;
import io.switchboard.core.governance.KeyStore;
import io.switchboard.core.governance.TenantLimits;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Keys in one DynamoDB table keyed by {@code pk} (string), three kinds of item:
 * <ul>
 *   <li>{@code hash#<sha256hex>}: the key's record, read by the request path (one strongly consistent
 *       {@code GetItem});</li>
 *   <li>{@code id#<id>}: the same record plus {@code hash} and {@code lt} (the tenant, for the sparse
 *       {@code by-tenant} index: {@code lt}, {@code id}), read by the admin API;</li>
 *   <li>{@code tenant#<tenant>}: the tenant's {@code rpm} and {@code tpm}.</li>
 * </ul>
 * The two items of a key are written together in one transaction, conditioned on the id item's {@code version}.
 */
public final class DynamoDbKeyStore implements KeyStore {
    /** The partition key. */
    public static final String PK = "pk";
    /** The tenant index. */
    public static final String BY_TENANT = "by-tenant";

    private final Supplier<DynamoDbClient> client;
    private final String table;

    /** A store in {@code table}, through {@code client} (built on first use). */
    public DynamoDbKeyStore(Supplier<DynamoDbClient> client, String table) {
        this.client = Objects.requireNonNull(client, "client");
        this.table = Objects.requireNonNull(table, "table");
    }

    /** Creates the table as the template declares it (tests; the local run reads the template). */
    public static void createTable(DynamoDbClient c, String table) {
        c.createTable(r -> r.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(attr(PK), attr("lt"), attr("id"))
                .keySchema(KeySchemaElement.builder().attributeName(PK).keyType(KeyType.HASH).build())
                .globalSecondaryIndexes(GlobalSecondaryIndex.builder().indexName(BY_TENANT)
                        .keySchema(KeySchemaElement.builder().attributeName("lt").keyType(KeyType.HASH).build(),
                                KeySchemaElement.builder().attributeName("id").keyType(KeyType.RANGE).build())
                        .projection(Projection.builder().projectionType(ProjectionType.ALL).build()).build()));
    }

    private static AttributeDefinition attr(String name) {
        return AttributeDefinition.builder().attributeName(name).attributeType(ScalarAttributeType.S).build();
    }

    @Override
    public Optional<KeyRecord> findByHash(String hashHex) {
        var r = client.get().getItem(b -> b.tableName(table).key(Map.of(PK, s("hash#" + hashHex)))
                .consistentRead(true));
        return r.hasItem() && !r.item().isEmpty() ? Optional.of(record(r.item())) : Optional.empty();
    }

    @Override
    public Optional<KeyRecord> get(String id) {
        var r = client.get().getItem(b -> b.tableName(table).key(Map.of(PK, s("id#" + id))).consistentRead(true));
        return r.hasItem() && !r.item().isEmpty() ? Optional.of(record(r.item())) : Optional.empty();
    }

    @Override
    public void create(KeyRecord key) {
        try {
            client.get().transactWriteItems(t -> t.transactItems(
                    put(hashItem(key), "attribute_not_exists(pk)", Map.of()),
                    put(idItem(key), "attribute_not_exists(pk)", Map.of())));
        } catch (TransactionCanceledException e) {
            throw new IllegalStateException("a key with this id or hash exists", e);
        }
    }

    @Override
    public boolean replace(KeyRecord old, KeyRecord updated) {
        if (!old.id().equals(updated.id())) {
            throw new IllegalArgumentException("the id of a key never changes");
        }
        List<TransactWriteItem> items = new ArrayList<>(3);
        items.add(put(idItem(updated), "version = :v", Map.of(":v", n(old.version()))));
        items.add(put(hashItem(updated), null, Map.of()));
        if (!old.hash().equals(updated.hash())) {
            items.add(TransactWriteItem.builder().delete(d -> d.tableName(table)
                    .key(Map.of(PK, s("hash#" + old.hash())))).build());
        }
        try {
            client.get().transactWriteItems(t -> t.transactItems(items));
            return true;
        } catch (TransactionCanceledException e) {
            return false;
        }
    }

    @Override
    public boolean delete(KeyRecord key) {
        try {
            client.get().transactWriteItems(t -> t.transactItems(
                    TransactWriteItem.builder().delete(d -> d.tableName(table).key(Map.of(PK, s("id#" + key.id())))
                            .conditionExpression("attribute_exists(pk)")).build(),
                    TransactWriteItem.builder().delete(d -> d.tableName(table)
                            .key(Map.of(PK, s("hash#" + key.hash())))).build()));
            return true;
        } catch (TransactionCanceledException e) {
            return false;
        }
    }

    @Override
    public KeyPage list(String tenant, int limit, String cursor) {
        Map<String, AttributeValue> start = cursor == null ? null : decodeCursor(cursor);
        List<KeyRecord> out = new ArrayList<>();
        Map<String, AttributeValue> last;
        if (tenant != null) {
            QueryResponse r = client.get().query(q -> q.tableName(table).indexName(BY_TENANT)
                    .keyConditionExpression("lt = :t").expressionAttributeValues(Map.of(":t", s(tenant)))
                    .limit(limit).exclusiveStartKey(start));
            r.items().forEach(i -> out.add(record(i)));
            last = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } else {
            ScanResponse r = client.get().scan(q -> q.tableName(table).indexName(BY_TENANT).limit(limit)
                    .exclusiveStartKey(start));
            r.items().forEach(i -> out.add(record(i)));
            last = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        }
        return new KeyPage(out, last == null ? null : encodeCursor(last));
    }

    @Override
    public TenantLimits tenantLimits(String tenant) {
        var r = client.get().getItem(b -> b.tableName(table).key(Map.of(PK, s("tenant#" + tenant)))
                .consistentRead(true));
        if (!r.hasItem() || r.item().isEmpty()) {
            return TenantLimits.none(tenant);
        }
        return new TenantLimits(tenant, num(r.item(), "rpm"), num(r.item(), "tpm"));
    }

    @Override
    public void putTenantLimits(TenantLimits limits) {
        client.get().putItem(b -> b.tableName(table).item(Map.of(PK, s("tenant#" + limits.tenant()),
                "tenant", s(limits.tenant()), "rpm", n(limits.rpm()), "tpm", n(limits.tpm()))));
    }

    private TransactWriteItem put(Map<String, AttributeValue> item, String condition,
            Map<String, AttributeValue> values) {
        return TransactWriteItem.builder().put(p -> {
            p.tableName(table).item(item);
            if (condition != null) {
                p.conditionExpression(condition);
                if (!values.isEmpty()) {
                    p.expressionAttributeValues(values);
                }
            }
        }).build();
    }

    static Map<String, AttributeValue> fields(KeyRecord k) {
        Map<String, AttributeValue> m = new HashMap<>();
        m.put("id", s(k.id()));
        m.put("tenant", s(k.tenant()));
        m.put("name", s(k.name()));
        m.put("models", AttributeValue.fromL(k.models().stream().map(DynamoDbKeyStore::s).toList()));
        m.put("rpm", n(k.rpm()));
        m.put("tpm", n(k.tpm()));
        if (k.budgetDailyUsd() != null) {
            m.put("budgetDailyUsd", AttributeValue.fromN(k.budgetDailyUsd().toPlainString()));
        }
        if (k.budgetMonthlyUsd() != null) {
            m.put("budgetMonthlyUsd", AttributeValue.fromN(k.budgetMonthlyUsd().toPlainString()));
        }
        if (k.expiresAt() != null) {
            m.put("expiresAt", s(k.expiresAt().toString()));
        }
        m.put("revoked", AttributeValue.fromBool(k.revoked()));
        Map<String, AttributeValue> meta = new LinkedHashMap<>();
        k.metadata().forEach((a, b) -> meta.put(a, s(b)));
        m.put("metadata", AttributeValue.fromM(meta));
        m.put("createdAt", s(k.createdAt().toString()));
        m.put("updatedAt", s(k.updatedAt().toString()));
        m.put("version", n(k.version()));
        m.put("hash", s(k.hash()));
        return m;
    }

    private static Map<String, AttributeValue> hashItem(KeyRecord k) {
        Map<String, AttributeValue> m = fields(k);
        m.put(PK, s("hash#" + k.hash()));
        return m;
    }

    private static Map<String, AttributeValue> idItem(KeyRecord k) {
        Map<String, AttributeValue> m = fields(k);
        m.put(PK, s("id#" + k.id()));
        m.put("lt", s(k.tenant()));
        return m;
    }

    static KeyRecord record(Map<String, AttributeValue> i) {
        Map<String, String> meta = new LinkedHashMap<>();
        if (i.containsKey("metadata")) {
            i.get("metadata").m().forEach((a, b) -> meta.put(a, b.s()));
        }
        return new KeyRecord(i.get("id").s(), i.get("hash").s(), i.get("tenant").s(), i.get("name").s(),
                i.containsKey("models") ? i.get("models").l().stream().map(AttributeValue::s).toList() : List.of(),
                num(i, "rpm"), num(i, "tpm"), dec(i, "budgetDailyUsd"), dec(i, "budgetMonthlyUsd"),
                i.containsKey("expiresAt") ? Instant.parse(i.get("expiresAt").s()) : null,
                i.containsKey("revoked") && Boolean.TRUE.equals(i.get("revoked").bool()), meta,
                Instant.parse(i.get("createdAt").s()), Instant.parse(i.get("updatedAt").s()), num(i, "version"));
    }

    private static long num(Map<String, AttributeValue> i, String name) {
        AttributeValue v = i.get(name);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }

    private static BigDecimal dec(Map<String, AttributeValue> i, String name) {
        AttributeValue v = i.get(name);
        return v == null || v.n() == null ? null : new BigDecimal(v.n());
    }

    private static String encodeCursor(Map<String, AttributeValue> key) {
        StringBuilder sb = new StringBuilder();
        key.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> sb.append(e.getKey()).append('\u0000').append(e.getValue().s()).append('\u0000'));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, AttributeValue> decodeCursor(String cursor) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8)
                    .split("\u0000", -1);
            Map<String, AttributeValue> m = new HashMap<>();
            for (int i = 0; i + 1 < parts.length; i += 2) {
                if (!List.of(PK, "lt", "id").contains(parts[i])) {
                    throw new IllegalArgumentException("bad cursor");
                }
                m.put(parts[i], s(parts[i + 1]));
            }
            if (m.isEmpty()) {
                throw new IllegalArgumentException("bad cursor");
            }
            return m;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cursor", e);
        }
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    private static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }
}
