package io.switchboard.core.governance.internal;

import io.switchboard.core.governance.SpendKey;
import io.switchboard.core.governance.SpendTotals;
import io.switchboard.core.governance.UsageStore;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Spend in one DynamoDB table: {@code pk = tenant#<tenant>}, {@code sk = <yyyy-mm-dd>#<model>#<keyId>}, with
 * {@code requests}, {@code promptTokens}, {@code completionTokens}, {@code cachedTokens} and {@code costUsd} (an exact
 * decimal) added by {@code UpdateItem ... ADD}, and {@code expiresAt} (epoch seconds, the table's TTL attribute:
 * 400 days after the day).
 */
public final class DynamoDbUsageStore implements UsageStore {
    private static final long KEEP_DAYS = 400;

    private final Supplier<DynamoDbClient> client;
    private final String table;

    /** A store in {@code table}, through {@code client} (built on first use). */
    public DynamoDbUsageStore(Supplier<DynamoDbClient> client, String table) {
        this.client = Objects.requireNonNull(client, "client");
        this.table = Objects.requireNonNull(table, "table");
    }

    /** Creates the table as the template declares it (tests). */
    public static void createTable(DynamoDbClient c, String table) {
        c.createTable(r -> r.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("sk").attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build()));
    }

    @Override
    public void add(SpendKey key, SpendTotals t) {
        long expires = key.day().plusDays(KEEP_DAYS).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        client.get().updateItem(u -> u.tableName(table)
                .key(Map.of("pk", s("tenant#" + key.tenant()),
                        "sk", s(key.day() + "#" + key.model() + "#" + key.keyId())))
                .updateExpression("ADD requests :r, promptTokens :p, completionTokens :c, cachedTokens :k, "
                        + "costUsd :u SET tenant = :t, keyId = :i, model = :m, #d = :d, expiresAt = :e")
                .expressionAttributeNames(Map.of("#d", "day"))
                .expressionAttributeValues(Map.of(":r", n(t.requests()), ":p", n(t.promptTokens()),
                        ":c", n(t.completionTokens()), ":k", n(t.cachedTokens()),
                        ":u", AttributeValue.fromN(t.costUsd().toPlainString()), ":t", s(key.tenant()),
                        ":i", s(key.keyId()), ":m", s(key.model()), ":d", s(key.day().toString()),
                        ":e", n(expires))));
    }

    @Override
    public List<UsageRow> read(String tenant, LocalDate from, LocalDate to) {
        QueryRequest q = QueryRequest.builder().tableName(table)
                .keyConditionExpression("pk = :pk AND sk BETWEEN :a AND :b")
                .expressionAttributeValues(Map.of(":pk", s("tenant#" + tenant), ":a", s(from + "#"),
                        ":b", s(to + "#\uffff")))
                .consistentRead(true).build();
        List<UsageRow> out = new ArrayList<>();
        client.get().queryPaginator(q).items().forEach(i -> out.add(new UsageRow(
                new SpendKey(i.get("tenant").s(), i.get("keyId").s(), i.get("model").s(),
                        LocalDate.parse(i.get("day").s())),
                new SpendTotals(num(i, "requests"), num(i, "promptTokens"), num(i, "completionTokens"),
                        num(i, "cachedTokens"), i.containsKey("costUsd") ? new BigDecimal(i.get("costUsd").n())
                        : BigDecimal.ZERO))));
        return out;
    }

    private static long num(Map<String, AttributeValue> i, String name) {
        AttributeValue v = i.get(name);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    private static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }
}
