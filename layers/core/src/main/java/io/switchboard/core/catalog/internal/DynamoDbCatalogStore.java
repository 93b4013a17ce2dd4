package io.switchboard.core.catalog.internal;

import io.switchboard.core.catalog.Catalog;
import io.switchboard.core.catalog.CatalogEntry;
import io.switchboard.core.catalog.CatalogStore;
import io.switchboard.core.catalog.CatalogWrite;
import io.switchboard.shared.catalog.CatalogJson;
import io.switchboard.shared.catalog.ModelCatalogChanged;
import io.switchboard.shared.config.ModelRoute;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The catalog in one DynamoDB table keyed by {@code pk} (partition) and {@code sk} (sort), both strings:
 * <ul>
 *   <li>{@code pk=model}, {@code sk=provider/modelId}: {@code provider}, {@code modelId}, {@code ownedBy},
 *       {@code created}, {@code contextWindow} (when known), {@code inputModalities}, {@code outputModalities},
 *       {@code lastSeen} (ISO-8601);</li>
 *   <li>{@code pk=alias}, {@code sk=name}: {@code provider}, {@code modelId};</li>
 *   <li>{@code pk=meta}, {@code sk=generation}: {@code generation};</li>
 *   <li>{@code pk=meta}, {@code sk=pending}: {@code generation}, {@code event} (the {@code ModelCatalogChanged}
 *       detail of a run that began writing and has not finished; lists dropped, {@code truncated}, over 300 KB).</li>
 * </ul>
 * Reading the generation is one strongly consistent {@code GetItem}; loading is two {@code Query}s. Every item
 * written is counted.
 */
public final class DynamoDbCatalogStore implements CatalogStore {
    static final String PK = "pk";
    static final String SK = "sk";
    private static final Map<String, AttributeValue> GENERATION_KEY = Map.of(PK, s("meta"), SK, s("generation"));
    private static final Map<String, AttributeValue> PENDING_KEY = Map.of(PK, s("meta"), SK, s("pending"));
    /** Under DynamoDB's 400 KB item limit. */
    static final int MAX_PENDING_BYTES = 300 * 1024;

    private final Supplier<DynamoDbClient> client;
    private final String table;
    private final AtomicLong writes = new AtomicLong();

    /** A store in {@code table}, through {@code client} (built on first use). */
    public DynamoDbCatalogStore(Supplier<DynamoDbClient> client, String table) {
        this.client = Objects.requireNonNull(client, "client");
        this.table = Objects.requireNonNull(table, "table");
    }

    /** Creates the table as the template declares it (tests and local runs; on-demand billing). */
    public static void createTable(DynamoDbClient client, String table) {
        client.createTable(r -> r.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName(PK)
                                .attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName(SK).attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName(PK).keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName(SK).keyType(KeyType.RANGE).build()));
    }

    @Override
    public long generation() {
        GetItemResponse r = client.get().getItem(b -> b.tableName(table).key(GENERATION_KEY).consistentRead(true)
                .projectionExpression("generation"));
        return r.hasItem() && r.item().containsKey("generation") ? Long.parseLong(r.item().get("generation").n()) : 0;
    }

    @Override
    public Catalog load() {
        long generation = generation();
        Map<String, CatalogEntry> models = new HashMap<>();
        for (Map<String, AttributeValue> item : query("model")) {
            CatalogEntry e = entry(item);
            models.put(e.key(), e);
        }
        Map<String, ModelRoute> aliases = new HashMap<>();
        for (Map<String, AttributeValue> item : query("alias")) {
            aliases.put(item.get(SK).s(), new ModelRoute(item.get("provider").s(), item.get("modelId").s()));
        }
        return new Catalog(generation, models, aliases);
    }

    private List<Map<String, AttributeValue>> query(String pk) {
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        QueryRequest q = QueryRequest.builder().tableName(table).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", s(pk))).consistentRead(true).build();
        client.get().queryPaginator(q).items().forEach(out::add);
        return out;
    }

    @Override
    public int apply(CatalogWrite w) {
        DynamoDbClient c = client.get();
        int n = 0;
        for (CatalogEntry e : w.puts()) {
            c.putItem(r -> r.tableName(table).item(item(e)));
            n++;
        }
        for (String key : w.deletes()) {
            c.deleteItem(r -> r.tableName(table).key(Map.of(PK, s("model"), SK, s(key))));
            n++;
        }
        for (Map.Entry<String, ModelRoute> a : w.aliasPuts().entrySet()) {
            c.putItem(r -> r.tableName(table).item(Map.of(PK, s("alias"), SK, s(a.getKey()),
                    "provider", s(a.getValue().provider()), "modelId", s(a.getValue().providerModel()))));
            n++;
        }
        for (String alias : w.aliasDeletes()) {
            c.deleteItem(r -> r.tableName(table).key(Map.of(PK, s("alias"), SK, s(alias))));
            n++;
        }
        if (w.newGeneration() != w.expectedGeneration()) {
            try {
                c.putItem(r -> r.tableName(table)
                        .item(Map.of(PK, s("meta"), SK, s("generation"), "generation", num(w.newGeneration())))
                        .conditionExpression("attribute_not_exists(generation) OR generation = :expected")
                        .expressionAttributeValues(Map.of(":expected", num(w.expectedGeneration()))));
            } catch (ConditionalCheckFailedException e) {
                throw new ConcurrentCatalogChangeException(w.expectedGeneration());
            }
            n++;
        }
        writes.addAndGet(n);
        return n;
    }

    @Override
    public java.util.Optional<ModelCatalogChanged> pending() {
        GetItemResponse r = client.get().getItem(b -> b.tableName(table).key(PENDING_KEY).consistentRead(true));
        if (!r.hasItem() || !r.item().containsKey("event")) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(CatalogJson.readChanged(r.item().get("event").s()
                .getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void begin(ModelCatalogChanged change) {
        byte[] json = CatalogJson.writeChanged(change);
        if (json.length > MAX_PENDING_BYTES) { // truncated: its consumers reload everything
            json = CatalogJson.writeChanged(new ModelCatalogChanged(change.generation(), change.previousGeneration(),
                    List.of(), List.of(), List.of(), change.failedProviders(), change.occurredAt(), true));
        }
        String event = new String(json, StandardCharsets.UTF_8);
        client.get().putItem(r -> r.tableName(table).item(Map.of(PK, s("meta"), SK, s("pending"),
                "generation", num(change.generation()), "event", s(event))));
    }

    @Override
    public void finish(ModelCatalogChanged change) {
        try {
            client.get().deleteItem(r -> r.tableName(table).key(PENDING_KEY)
                    .conditionExpression("generation = :g")
                    .expressionAttributeValues(Map.of(":g", num(change.generation()))));
        } catch (ConditionalCheckFailedException another) {
            // another run's change is pending now: it is that run's to finish
        }
    }

    /** Items written by this store so far. */
    public long writes() {
        return writes.get();
    }

    private static Map<String, AttributeValue> item(CatalogEntry e) {
        Map<String, AttributeValue> m = new HashMap<>();
        m.put(PK, s("model"));
        m.put(SK, s(e.key()));
        m.put("provider", s(e.provider()));
        m.put("modelId", s(e.modelId()));
        m.put("ownedBy", s(e.ownedBy()));
        m.put("created", num(e.created()));
        if (e.contextWindow() != null) {
            m.put("contextWindow", num(e.contextWindow()));
        }
        m.put("inputModalities", list(e.inputModalities()));
        m.put("outputModalities", list(e.outputModalities()));
        m.put("lastSeen", s(e.lastSeen().toString()));
        return m;
    }

    private static CatalogEntry entry(Map<String, AttributeValue> m) {
        AttributeValue cw = m.get("contextWindow");
        return new CatalogEntry(m.get("provider").s(), m.get("modelId").s(), m.get("ownedBy").s(),
                Long.parseLong(m.get("created").n()), cw == null ? null : Integer.valueOf(cw.n()),
                strings(m.get("inputModalities")), strings(m.get("outputModalities")),
                Instant.parse(m.get("lastSeen").s()));
    }

    private static AttributeValue list(List<String> values) {
        return AttributeValue.fromL(values.stream().map(DynamoDbCatalogStore::s).toList());
    }

    private static List<String> strings(AttributeValue v) {
        return v == null || !v.hasL() ? List.of() : v.l().stream().map(AttributeValue::s).toList();
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    private static AttributeValue num(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }
}
