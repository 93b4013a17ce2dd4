package io.switchboard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.cache.CacheKey;
import io.switchboard.core.cache.InvalidationScope;
import io.switchboard.core.cache.RedisServer;
import io.valkey.Jedis;
import io.valkey.Pipeline;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;

/**
 * The invalidation and discovery functions failing in the middle of a batch, through the local run's bus and its
 * asynchronous invocation (retries, then the dead-letter queue): L2 frozen while the invalidation function is half
 * way through a tag's entries; L2 down past every retry, the event dead-lettered and put on the bus again; DynamoDB
 * stopped while discovery is half way through its catalog writes. Nothing may be lost: the final state is asserted
 * (every entry of the scope gone from L2, others kept, one log record; the catalog equal to what the provider lists,
 * its generation raised, and every removed model's cached answers invalidated).
 */
class BatchFaultRunTest {
    static final String BUS = "switchboard-local-catalog";
    static final String DLQ = "switchboard-local-InvalidationDeadLetterQueue";
    static final String TAG_INDEX = InvalidationScope.tag("local", "prompt:v1").indexKey();
    static final String KEEP_INDEX = InvalidationScope.tag("local", "prompt:v2").indexKey();

    /** {@code n} entries of tenant {@code local} in L2, each in {@code index} (as the cache writes them). */
    static List<String> entries(Jedis j, String index, String prefix, int n) {
        List<String> keys = new ArrayList<>(n);
        Pipeline p = j.pipelined();
        for (int i = 0; i < n; i++) {
            String k = new CacheKey("local", CacheKey.DEFAULT_NAMESPACE, prefix + "-" + i, "up", "m").storageKey();
            keys.add(k);
            p.set(k, "{\"cached\":" + i + "}");
            p.sadd(index, k);
            if (i % 5000 == 4999) {
                p.sync();
                p = j.pipelined();
            }
        }
        p.sync();
        return keys;
    }

    static long existing(Jedis j, List<String> keys) {
        long n = 0;
        for (int i = 0; i < keys.size(); i += 1000) {
            n += j.exists(keys.subList(i, Math.min(keys.size(), i + 1000)).toArray(String[]::new));
        }
        return n;
    }

    static EventBridgeClient bus(FaultStack stack) {
        return EventBridgeClient.builder().region(Region.US_EAST_1)
                .endpointOverride(URI.create(stack.gateway().busEndpoint()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    /** The local run's outcomes of {@code function}, once one arrived. */
    static AsyncInvoker.Outcome outcome(FaultStack stack, String function, Duration limit) throws Exception {
        FaultStack.await(function + " to finish", limit, () -> stack.outcomes.stream()
                .anyMatch(o -> o.function().equals(function)));
        return stack.outcomes.stream().filter(o -> o.function().equals(function)).findFirst().orElseThrow();
    }

    /**
     * L2 freezes while the invalidation function is removing a 60,000-entry tag (after its first batches), for
     * longer than the function's L2 timeout (5 s in the template): the invocation fails, Lambda's retry runs it
     * again once L2 thaws, and the tag's entries are all gone, the other tag's kept, the log records it once.
     */
    @Test
    void invalidation_l2FrozenMidBatch_retryConverges() throws Exception {
        try (RedisServer redis = RedisServer.start(); FaultUpstream upstream = new FaultUpstream();
                FaultStack stack = FaultStack.start(Map.of("UP_KEY", "sk-up", "SWITCHBOARD_CACHE_URL", redis.url(),
                        "SWITCHBOARD_CONFIG", FaultStack.config(FaultStack.provider("up", upstream.baseUrl()),
                                "{\"fast\":\"up/m\"}")), null, true, false, Duration.ofMillis(200));
                Jedis j = new Jedis("127.0.0.1", redis.port())) {
            // a real cached answer under the tag, served from an environment's L1
            String chat = FaultStack.chatBody("fast", 0, "tagged answer");
            java.net.http.HttpRequest tagged = java.net.http.HttpRequest.newBuilder(stack.chat(FaultStack.KEY, chat),
                    (n, v) -> true).header("x-switchboard-cache-tags", "prompt:v1").build();
            assertEquals("MISS", stack.send(tagged).header("x-switchboard-cache"));
            assertTrue(stack.send(tagged).header("x-switchboard-cache").startsWith("HIT-"));
            List<String> doomed = entries(j, TAG_INDEX, "doomed", 60_000);
            List<String> kept = entries(j, KEEP_INDEX, "kept", 5_000);
            long total = j.scard(TAG_INDEX);

            assertEquals(202, stack.admin("POST", "/v1/cache/invalidate", "{\"tenant\":\"local\","
                    + "\"tags\":[\"prompt:v1\"],\"reason\":\"fault run: L2 frozen mid-batch\"}").statusCode());
            long left;
            try (Jedis watch = new Jedis("127.0.0.1", redis.port())) {
                long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while ((left = watch.scard(TAG_INDEX)) == total && System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
            redis.pause(); // the function is between batches or inside one
            long frozenAt = System.nanoTime();
            Thread.sleep(5_500);
            redis.resume();
            AsyncInvoker.Outcome o = outcome(stack, "InvalidationFunction", Duration.ofSeconds(30));
            System.out.printf("invalidation, L2 frozen mid-batch for 5.5 s: %d of %d entries left when frozen; "
                    + "%s after %d attempts, %.0f ms after the freeze%n", left, total,
                    o.succeeded() ? "succeeded" : "failed", o.attempts(), (System.nanoTime() - frozenAt) / 1e6);

            assertTrue(left > 0 && left < total, "frozen mid-batch: " + left + " of " + total);
            assertTrue(o.succeeded(), "converged");
            assertTrue(o.attempts() >= 2, "the first attempt failed on the frozen L2 and was retried");
            assertEquals(0, existing(j, doomed), "every entry of the tag is gone");
            assertFalse(j.exists(TAG_INDEX), "and its index");
            assertEquals(kept.size(), existing(j, kept), "the other tag's entries are kept");
            assertEquals("1", j.get("sb:v1:inv:{log}:seq"), "recorded once in the log");
            assertTrue(stack.gateway().queue(DLQ).isEmpty(), "nothing dead-lettered");
            FaultStack.await("the environments' L1 to follow", Duration.ofSeconds(5),
                    () -> "MISS".equals(stack.send(tagged).header("x-switchboard-cache")));
        }
    }

    /**
     * L2 stays down past the invalidation function's every retry (its timeout lowered to 300 ms in a copy of the
     * template, so the retries run out in seconds): the event lands in the dead-letter queue; once L2 is back, the
     * README's runbook — put the message's event on the bus again — converges: every entry gone, once in the log.
     */
    @Test
    void invalidation_l2DownPastEveryRetry_deadLettered_redriveConverges(@TempDir Path dir) throws Exception {
        Path template = dir.resolve("template.yaml");
        String text = Files.readString(Project.template());
        String fast = text.replace("SWITCHBOARD_CACHE_L2_TIMEOUT_MS: \"5000\"",
                "SWITCHBOARD_CACHE_L2_TIMEOUT_MS: \"300\"");
        assertFalse(fast.equals(text), "the template's invalidation timeout was found");
        Files.writeString(template, fast);
        try (RedisServer redis = RedisServer.start(); FaultUpstream upstream = new FaultUpstream();
                FaultStack stack = FaultStack.start(template, Map.of("UP_KEY", "sk-up", "SWITCHBOARD_CACHE_URL",
                        redis.url(), "SWITCHBOARD_CONFIG", FaultStack.config(FaultStack.provider("up",
                                upstream.baseUrl()), "{\"fast\":\"up/m\"}")), null, true, false,
                        Duration.ofMillis(200));
                Jedis j = new Jedis("127.0.0.1", redis.port());
                EventBridgeClient events = bus(stack)) {
            List<String> doomed = entries(j, TAG_INDEX, "doomed", 20_000);
            List<String> kept = entries(j, KEEP_INDEX, "kept", 2_000);
            long total = j.scard(TAG_INDEX);
            assertEquals(202, stack.admin("POST", "/v1/cache/invalidate", "{\"tenant\":\"local\","
                    + "\"tags\":[\"prompt:v1\"],\"reason\":\"fault run: L2 down past every retry\"}").statusCode());
            long left;
            try (Jedis watch = new Jedis("127.0.0.1", redis.port())) {
                long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while ((left = watch.scard(TAG_INDEX)) == total && System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
            redis.pause();
            AsyncInvoker.Outcome failed = outcome(stack, "InvalidationFunction", Duration.ofSeconds(20));
            redis.resume();
            assertFalse(failed.succeeded());
            assertEquals(3, failed.attempts(), "one try and the template's two retries");
            List<LocalQueues.Message> dead = stack.gateway().queue(DLQ);
            assertEquals(1, dead.size(), "dead-lettered");
            assertTrue(existing(j, doomed) > 0, "entries remain until the event is put on the bus again");
            // the runbook: put the dead letter's event on the bus again
            var event = FaultStack.json(dead.get(0).body());
            events.putEvents(p -> p.entries(e -> e.eventBusName(BUS).source(event.get("source").asText())
                    .detailType(event.get("detail-type").asText()).detail(event.get("detail").toString())));
            FaultStack.await("the redriven event to succeed", Duration.ofSeconds(20), () -> stack.outcomes.stream()
                    .anyMatch(o -> o.function().equals("InvalidationFunction") && o.succeeded()));
            System.out.printf("invalidation, L2 down past every retry: %d of %d entries left when it went down; "
                    + "dead-lettered after %d attempts; redriven from the queue: converged%n", left, total,
                    failed.attempts());
            assertTrue(left > 0 && left < total, "down mid-batch: " + left + " of " + total);
            assertEquals(0, existing(j, doomed), "every entry of the tag is gone");
            assertEquals(kept.size(), existing(j, kept), "the other tag's entries are kept");
            assertEquals("1", j.get("sb:v1:inv:{log}:seq"), "recorded once in the log");
        }
    }

    /**
     * Discovery finds 60 models gone and 5 new; DynamoDB stops while it is deleting the gone ones (some deleted,
     * most not, the generation not yet raised). The invocation fails; its retry (once DynamoDB is back) must converge:
     * the catalog equals the provider's listing, the generation is raised (the environments reload it), and every
     * removed model — including those the failed attempt already deleted — is named in a published
     * {@code ModelCatalogChanged}, so the invalidation function removes their cached answers.
     */
    @Test
    void discovery_dynamoDbStoppedMidBatch_retryConverges_everyRemovedModelInvalidated(@TempDir Path data)
            throws Exception {
        List<String> keep = new ArrayList<>();
        List<String> old = new ArrayList<>();
        List<String> fresh = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            keep.add("keep-" + i);
            fresh.add("new-" + i);
        }
        for (int i = 0; i < 60; i++) {
            old.add("old-" + i);
        }
        List<String> before = new ArrayList<>(keep);
        before.addAll(old);
        try (RedisServer redis = RedisServer.start(); FaultUpstream upstream = new FaultUpstream().models(before);
                FaultStack stack = FaultStack.start(Map.of("UP_KEY", "sk-up", "SWITCHBOARD_CACHE_URL", redis.url(),
                        "SWITCHBOARD_CATALOG_REFRESH_SECONDS", "1", "SWITCHBOARD_CONFIG", FaultStack.config(
                                FaultStack.provider("up", upstream.baseUrl()), "{\"fast\":\"up/m\"}")), data, true,
                        false, Duration.ofMillis(200));
                Jedis j = new Jedis("127.0.0.1", redis.port());
                EventBridgeClient events = bus(stack);
                DynamoDbClient db = DynamoDbClient.builder().endpointOverride(stack.gateway().dynamoDbEndpoint())
                        .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(
                                AwsBasicCredentials.create("local", "local")))
                        .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofSeconds(2)))
                        .httpClient(UrlConnectionHttpClient.create()).build()) {
            String report = new String(stack.gateway().invoke("DiscoveryFunction",
                    Files.readAllBytes(Project.dir().resolve("events/discovery-on-demand.json"))),
                    StandardCharsets.UTF_8);
            assertTrue(report.contains("\"generation\":1"), report);
            String table = db.listTables().tableNames().stream().filter(t -> t.contains("Catalog")).findFirst()
                    .orElseThrow();
            // cached answers of every model about to disappear, in L2 under the model's index (as the cache keeps them)
            List<String> cached = new ArrayList<>();
            for (String m : old) {
                String k = new CacheKey("local", CacheKey.DEFAULT_NAMESPACE, "answer-" + m, "up", m).storageKey();
                j.set(k, "{}");
                j.sadd(InvalidationScope.model("up/" + m).indexKey(), k);
                cached.add(k);
            }
            FaultStack.await("the first catalog change to be delivered", Duration.ofSeconds(20),
                    () -> stack.outcomes.stream().anyMatch(o -> o.function().equals("InvalidationFunction")));
            List<String> after = new ArrayList<>(keep);
            after.addAll(fresh);
            upstream.models(after);
            int listings = upstream.listings();
            events.putEvents(p -> p.entries(e -> e.eventBusName(BUS).source("io.switchboard.ops")
                    .detailType("RunModelDiscovery").detail("{\"reason\":\"fault run\"}")));
            int all = keep.size() + old.size() + fresh.size();
            AtomicLong count = new AtomicLong(all);
            FaultStack.await("discovery to be deleting", Duration.ofSeconds(30), () -> {
                try {
                    count.set(db.query(q -> q.tableName(table).keyConditionExpression("pk = :pk")
                            .consistentRead(true).select(Select.COUNT)
                            .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("model")))).count());
                } catch (software.amazon.awssdk.core.exception.SdkException slow) {
                    return false; // a loaded machine: ask again
                }
                return count.get() < all - 5;
            });
            stack.gateway().stopDynamoDb(); // the generation is not raised yet: most of the 60 are still there
            long stoppedAt = System.nanoTime();
            FaultStack.await("the retry to list the provider again", Duration.ofSeconds(30),
                    () -> upstream.listings() >= listings + 2);
            stack.gateway().restartDynamoDb();
            AsyncInvoker.Outcome o = outcome(stack, "DiscoveryFunction", Duration.ofSeconds(30));
            FaultStack.await("the catalog change to be delivered", Duration.ofSeconds(20), () -> stack.outcomes.stream()
                    .filter(x -> x.function().equals("InvalidationFunction") && x.succeeded()).count() >= 2);
            Thread.sleep(300); // any further invalidation event in flight
            long notInvalidated = existing(j, cached);
            System.out.printf("discovery, DynamoDB stopped mid-batch with %d of %d models left (%d deleted): %s after "
                    + "%d attempts, %.0f ms after the stop; cached answers of removed models left in L2: %d of %d%n",
                    count.get(), all, all - count.get(), o.succeeded() ? "succeeded" : "failed", o.attempts(),
                    (System.nanoTime() - stoppedAt) / 1e6, notInvalidated, cached.size());

            assertTrue(o.succeeded(), "converged");
            assertEquals(2, o.attempts(), "the first attempt failed on the stopped table");
            List<String> ids = new ArrayList<>();
            db.queryPaginator(q -> q.tableName(table).keyConditionExpression("pk = :pk").consistentRead(true)
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("model")))).items()
                    .forEach(i -> ids.add(i.get("modelId").s()));
            assertEquals(new java.util.TreeSet<>(after), new java.util.TreeSet<>(ids), "the catalog is the listing");
            FaultStack.await("the environments to reload the raised generation", Duration.ofSeconds(10), () -> {
                FaultLoad.Result models = stack.get("/v1/models", FaultStack.KEY);
                return models.body().contains("\"up/new-3\"") && !models.body().contains("\"up/old-");
            });
            assertEquals(0, notInvalidated, "every removed model's cached answers were invalidated");
        }
    }
}
