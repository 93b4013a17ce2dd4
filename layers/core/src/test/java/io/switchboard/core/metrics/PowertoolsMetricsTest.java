package io.switchboard.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.config.Settings;
import io.switchboard.shared.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The EMF documents {@link PowertoolsMetrics} writes, read back from a captured stdout. */
class PowertoolsMetricsTest {
    private static final String NAMESPACE = "SwitchboardTest";
    private static final String SERVICE = "switchboard-test";
    private static final String FUNCTION = "switchboard-completion-test";

    private PrintStream originalOut;
    private ByteArrayOutputStream captured;
    private PowertoolsMetrics metrics;

    @BeforeEach
    void captureStdout() {
        // the per-request shape: batched documents written at every request's end (batching: its own test)
        Settings settings = Settings.from(Map.of("POWERTOOLS_METRICS_NAMESPACE", NAMESPACE,
                "POWERTOOLS_SERVICE_NAME", SERVICE, "AWS_LAMBDA_FUNCTION_NAME", FUNCTION,
                "SWITCHBOARD_METRICS_FLUSH_MS", "0"));
        // a process environment without Lambda's variables: EMF must be pinned to Local (stdout), no probing
        metrics = PowertoolsMetrics.create(settings, Map.of());
        originalOut = System.out;
        captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStdout() {
        System.setOut(originalOut);
    }

    /** Every EMF document written so far, parsed, but the per-provider and JVM ones (see {@link #all()}). */
    private List<JsonNode> documents() throws Exception {
        return all().stream().filter(d -> !d.has("Provider") && !d.has("JvmThreads")).toList();
    }

    /** Every EMF document written so far, parsed. */
    private List<JsonNode> all() throws Exception {
        System.out.flush();
        List<JsonNode> docs = new ArrayList<>();
        for (String line : captured.toString(StandardCharsets.UTF_8).split("\\R")) {
            String l = line.strip();
            if (l.startsWith("{")) {
                JsonNode n = Json.MAPPER.readTree(l);
                if (n.has("_aws")) {
                    docs.add(n);
                }
            }
        }
        return docs;
    }

    private JsonNode onlyDocument() throws Exception {
        List<JsonNode> docs = documents();
        assertEquals(1, docs.size(), () -> "expected one EMF document in stdout:\n" + captured);
        return docs.get(0);
    }

    /** The metric directive's metric names mapped to their units. */
    private static Map<String, String> declaredMetrics(JsonNode doc) {
        JsonNode directive = doc.at("/_aws/CloudWatchMetrics/0");
        Map<String, String> out = new HashMap<>();
        for (JsonNode m : directive.path("Metrics")) {
            out.put(m.path("Name").asText(), m.path("Unit").asText());
        }
        return out;
    }

    private static Set<String> dimensionKeys(JsonNode doc) {
        Set<String> keys = new HashSet<>();
        for (JsonNode set : doc.at("/_aws/CloudWatchMetrics/0/Dimensions")) {
            for (JsonNode k : set) {
                keys.add(k.asText());
            }
        }
        return keys;
    }

    private static double value(JsonNode doc, String metric) {
        JsonNode v = doc.get(metric);
        assertTrue(v != null, () -> "no value for " + metric + " in " + doc);
        // EMF writes a single value as a number and repeated values as an array
        return v.isArray() ? v.get(0).asDouble() : v.asDouble();
    }

    @Test
    void request_emitsOneEmfDocumentWithMetricsAndProperties() throws Exception {
        metrics.request(new RequestOutcome(200, 5_000_000, 3_000_000, "mock", "mock-1", 10, 20, null));
        JsonNode doc = onlyDocument();

        JsonNode aws = doc.get("_aws");
        assertTrue(aws.path("Timestamp").isNumber(), doc.toString());
        JsonNode directives = aws.path("CloudWatchMetrics");
        assertEquals(1, directives.size(), doc.toString());
        assertEquals(NAMESPACE, directives.get(0).path("Namespace").asText());

        Map<String, String> declared = declaredMetrics(doc);
        assertEquals(Set.of("Requests", "Status2xx", "Latency", "Overhead", "UpstreamLatency", "TokensIn",
                "TokensOut"), declared.keySet(), doc.toString());
        assertEquals("Count", declared.get("Requests"));
        assertEquals("Milliseconds", declared.get("Latency"));
        assertEquals("Milliseconds", declared.get("Overhead"));

        assertEquals(1.0, value(doc, "Requests"));
        assertEquals(1.0, value(doc, "Status2xx"));
        assertEquals(5.0, value(doc, "Latency"));
        assertEquals(2.0, value(doc, "Overhead"), "overhead is latency minus upstream time");
        assertEquals(3.0, value(doc, "UpstreamLatency"));
        assertEquals(10.0, value(doc, "TokensIn"));
        assertEquals(20.0, value(doc, "TokensOut"));

        assertEquals(Set.of("Service"), dimensionKeys(doc));
        assertEquals(SERVICE, doc.path("Service").asText());
        assertEquals(200, doc.path("status").asInt());
        assertEquals("mock", doc.path("provider").asText());
        assertEquals("mock-1", doc.path("model").asText());
        assertFalse(doc.has("errorCode"), doc.toString());
    }

    @Test
    void request_embeddings_countedAndLabelled_chatUnchanged() throws Exception {
        metrics.request(new RequestOutcome(200, 4_000_000, 3_000_000, "openai", "text-embedding-3-small", 12, 0,
                null, "MISS", 0, 0, 4096, 0, null, Operation.EMBEDDINGS));
        metrics.request(new RequestOutcome(200, 5_000_000, 3_000_000, "mock", "mock-1", 10, 20, null));
        List<JsonNode> docs = documents();
        assertEquals(2, docs.size(), captured::toString);
        JsonNode embeddings = docs.get(0);
        assertEquals(1.0, value(embeddings, "EmbeddingRequests"));
        assertEquals(1.0, value(embeddings, "Requests"));
        assertEquals(12.0, value(embeddings, "TokensIn"));
        assertEquals("embeddings", embeddings.path("operation").asText());
        assertEquals(Set.of("Service"), dimensionKeys(embeddings), "no new dimension: existing metrics keep their identity");
        JsonNode chat = docs.get(1);
        assertFalse(declaredMetrics(chat).containsKey("EmbeddingRequests"), chat.toString());
        assertEquals("chat.completions", chat.path("operation").asText());
    }

    @Test
    void request_streamEmitsTimeToFirstByteAndStreamCounters() throws Exception {
        metrics.request(new RequestOutcome(200, 90_000_000, 80_000_000, "openai", "gpt-4o-mini", 10, 20, null,
                "MISS", 0, 0, 0, 0, new StreamStats(21_000_000, 300_000, 69_000_000, 9, 1, false, false)));
        JsonNode doc = onlyDocument();
        Map<String, String> declared = declaredMetrics(doc);
        assertEquals(1.0, value(doc, "Streams"));
        assertEquals(21.0, value(doc, "TimeToFirstByte"));
        assertEquals(0.3, value(doc, "FirstTokenOverhead"), 1e-9);
        assertEquals(69.0, value(doc, "StreamDuration"));
        assertEquals(9.0, value(doc, "StreamChunks"));
        assertEquals(1.0, value(doc, "StreamKeepAlives"));
        assertEquals("Milliseconds", declared.get("TimeToFirstByte"));
        assertFalse(declared.containsKey("StreamsAborted"), doc.toString());
        assertFalse(declared.containsKey("StreamsTruncated"), doc.toString());

        captured.reset();
        metrics.request(new RequestOutcome(200, 5_000_000, 4_000_000, "openai", "gpt-4o-mini", 0, 0,
                "stream_truncated", "MISS", 0, 0, 0, 0, new StreamStats(1_000_000, -1, 4_000_000, 2, 0, false, true)));
        metrics.request(new RequestOutcome(499, 5_000_000, 4_000_000, "openai", "gpt-4o-mini", 0, 0, null,
                "MISS", 0, 0, 0, 0, new StreamStats(1_000_000, 200_000, 4_000_000, 2, 0, true, false)));
        List<JsonNode> docs = documents();
        assertEquals(1.0, value(docs.get(0), "StreamsTruncated"));
        assertFalse(declaredMetrics(docs.get(0)).containsKey("FirstTokenOverhead"), "not measured: not emitted");
        assertEquals(1.0, value(docs.get(1), "StreamsAborted"));
    }

    @Test
    void request_eachCallIsItsOwnDocument() throws Exception {
        metrics.request(new RequestOutcome(200, 5_000_000, 3_000_000, "mock", "mock-1", 10, 20, null));
        metrics.request(new RequestOutcome(200, 9_000_000, 1_000_000, "mock", "mock-1", 1, 2, null));
        List<JsonNode> docs = documents();
        assertEquals(2, docs.size(), captured::toString);
        assertEquals(2.0, value(docs.get(0), "Overhead"));
        assertEquals(8.0, value(docs.get(1), "Overhead"), "the first request's values are not carried over");
        assertEquals(1.0, value(docs.get(1), "Requests"));
    }

    @Test
    void request_throttledErrorWithoutUpstreamOrTokens() throws Exception {
        metrics.request(new RequestOutcome(429, 1_500_000, 0, null, null, 0, 0, "rate_limit_exceeded"));
        JsonNode doc = onlyDocument();
        Map<String, String> declared = declaredMetrics(doc);
        assertTrue(declared.containsKey("Status4xx"), doc.toString());
        assertTrue(declared.containsKey("Throttled"), doc.toString());
        assertFalse(declared.containsKey("Status2xx"), doc.toString());
        assertFalse(declared.containsKey("UpstreamLatency"), "no upstream time, no upstream metric");
        assertFalse(declared.containsKey("TokensIn"), "no tokens, no token metrics");
        assertEquals(1.5, value(doc, "Overhead"));
        assertEquals("rate_limit_exceeded", doc.path("errorCode").asText());
        assertFalse(doc.has("provider"), doc.toString());
        assertEquals(429, doc.path("status").asInt());
    }

    @Test
    void request_serverErrorCountsAs5xx() throws Exception {
        metrics.request(new RequestOutcome(502, 2_000_000, 1_000_000, "openai", "gpt-4o-mini", 0, 0,
                "upstream_error"));
        JsonNode doc = onlyDocument();
        Map<String, String> declared = declaredMetrics(doc);
        assertTrue(declared.containsKey("Status5xx"), doc.toString());
        assertFalse(declared.containsKey("Throttled"), doc.toString());
        assertEquals("upstream_error", doc.path("errorCode").asText());
    }

    @Test
    void propertiesOfOneRequest_doNotStayOnTheNext() throws Exception {
        metrics.request(new RequestOutcome(502, 2_000_000, 1_000_000, "mock", "mock-1", 0, 0, "upstream_error"));
        metrics.request(new RequestOutcome(200, 2_000_000, 0, null, null, 0, 0, null));
        List<JsonNode> docs = documents();
        assertEquals(2, docs.size(), captured::toString);
        JsonNode second = docs.get(1);
        assertFalse(second.has("errorCode"), second.toString());
        assertFalse(second.has("provider"), second.toString());
        assertFalse(second.has("model"), second.toString());
        assertEquals(200, second.path("status").asInt());
        JsonNode upstream = all().stream().filter(d -> d.has("Provider")).findFirst().orElseThrow();
        assertFalse(upstream.has("errorCode") || upstream.has("status") || upstream.has("model"),
                "a request's properties stay on its own document: " + upstream);
    }

    @Test
    void coldStart_emitsColdStartWithFunctionName() throws Exception {
        metrics.coldStart();
        JsonNode doc = onlyDocument();
        assertEquals(NAMESPACE, doc.at("/_aws/CloudWatchMetrics/0/Namespace").asText());
        assertEquals("Count", declaredMetrics(doc).get("ColdStart"));
        assertEquals(1.0, value(doc, "ColdStart"));
        assertTrue(dimensionKeys(doc).contains("FunctionName"), doc.toString());
        assertEquals(FUNCTION, doc.path("FunctionName").asText());
    }

    @Test
    void built_emitsLazyInitInMillisecondsByComponent() throws Exception {
        metrics.built("http-client", 12_500_000);
        JsonNode doc = onlyDocument();
        assertEquals("Milliseconds", declaredMetrics(doc).get("LazyInit"));
        assertEquals(12.5, value(doc, "LazyInit"));
        assertTrue(dimensionKeys(doc).contains("Component"), doc.toString());
        assertEquals("http-client", doc.path("Component").asText());
    }

    @Test
    void batched_perProviderDeploymentAndTenantDocuments_writtenWhenDue_sumsAndEveryLatency() throws Exception {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        PowertoolsMetrics batched = PowertoolsMetrics.create(Settings.from(Map.of("POWERTOOLS_METRICS_NAMESPACE",
                NAMESPACE, "POWERTOOLS_SERVICE_NAME", SERVICE, "AWS_LAMBDA_FUNCTION_NAME", FUNCTION)), Map.of(),
                java.time.InstantSource.system(), now::get);
        for (int i = 1; i <= 3; i++) {
            batched.attempt("mock-a", i * 1_000_000L, i == 3 ? "upstream_error" : null);
            batched.spent("acme", 10, 20, 0.5);
            batched.request(new RequestOutcome(200, 5_000_000, i * 1_000_000L, "mock", "mock-1", 10, 20, null));
            now.addAndGet(300_000_000L); // 0.3 s
        }
        assertTrue(all().stream().noneMatch(d -> d.has("Requests") || d.has("Provider") || d.has("Deployment")
                || d.has("Tenant")), "nothing batched is written before its interval: " + captured);
        now.addAndGet(200_000_000L); // 1.1 s after the first
        batched.request(new RequestOutcome(200, 5_000_000, 7_000_000, "mock", "mock-1", 10, 20, null));
        JsonNode service = documents().stream().filter(d -> d.has("Requests")).findFirst().orElseThrow();
        // the batch was due when the fourth request's values came: written first, without them
        assertEquals(3.0, service.path("Requests").asDouble(), "one Service document for the three: " + service);
        assertEquals(3.0, service.path("Status2xx").asDouble());
        assertEquals(30.0, service.path("TokensIn").asDouble());
        assertEquals("[5.0,5.0,5.0]", service.path("Latency").toString(), "every latency is kept");
        assertEquals("[4.0,3.0,2.0]", service.path("Overhead").toString());
        assertEquals("[[\"Service\"]]", service.at("/_aws/CloudWatchMetrics/0/Dimensions").toString());
        assertFalse(service.has("status"), "no request's properties on the batch");
        JsonNode up = all().stream().filter(d -> d.has("Provider")).findFirst().orElseThrow();
        assertEquals(3.0, up.path("UpstreamRequests").asDouble(), "counts are summed: " + up);
        assertEquals(0.0, up.path("UpstreamErrors").asDouble());
        assertEquals("[1.0,2.0,3.0]", up.path("UpstreamLatency").toString(), "every latency is kept");
        JsonNode dep = all().stream().filter(d -> d.has("Deployment")).findFirst().orElseThrow();
        assertEquals("[1.0,2.0,3.0]", dep.path("DeploymentLatency").toString());
        assertEquals(1.0, dep.path("DeploymentErrors").asDouble());
        JsonNode tenant = all().stream().filter(d -> d.has("Tenant")).findFirst().orElseThrow();
        assertEquals(30.0, tenant.path("TenantTokensIn").asDouble());
        assertEquals(1.5, tenant.path("TenantSpendUsd").asDouble());
        assertEquals("[[\"Service\",\"Tenant\"]]", tenant.at("/_aws/CloudWatchMetrics/0/Dimensions").toString());

        captured.reset();
        batched.spent("acme", 1, 2, 0.25);
        assertTrue(all().isEmpty());
        batched.flush(); // before a checkpoint, on shutdown
        JsonNode last = all().stream().filter(d -> d.has("Tenant")).findFirst().orElseThrow();
        assertEquals(1.0, last.path("TenantTokensIn").asDouble(), "written once: " + captured);
        assertEquals(1.0, all().stream().filter(d -> d.has("Requests")).findFirst().orElseThrow()
                .path("Requests").asDouble(), "the fourth request's values with it");
        int written = all().size();
        batched.flush();
        assertEquals(written, all().size(), "nothing is written twice");
    }

    @Test
    void batched_stampedWithFirstValuesTime_staleBatchWrittenBeforeNewValues_failuresLogged() throws Exception {
        java.util.concurrent.atomic.AtomicLong ticks = new java.util.concurrent.atomic.AtomicLong();
        java.time.Instant t0 = java.time.Instant.now().minusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        java.util.concurrent.atomic.AtomicReference<java.time.Instant> wall = new java.util.concurrent.atomic.AtomicReference<>(t0);
        PowertoolsMetrics batched = PowertoolsMetrics.create(Settings.from(Map.of("POWERTOOLS_METRICS_NAMESPACE",
                NAMESPACE, "POWERTOOLS_SERVICE_NAME", SERVICE, "AWS_LAMBDA_FUNCTION_NAME", FUNCTION)), Map.of(),
                wall::get, ticks::get);
        batched.request(new RequestOutcome(200, 4_000_000, 0, null, null, 0, 0, null));
        // the environment is frozen for 20 minutes, then a failed request arrives
        ticks.addAndGet(1_200_000_000_000L);
        wall.set(t0.plusSeconds(1200));
        batched.request(new RequestOutcome(502, 9_000_000, 8_000_000, "mock", "mock-\"1", 0, 0, "upstream_error"));
        List<JsonNode> service = documents().stream().filter(d -> d.has("Requests")).toList();
        assertEquals(1, service.size(), "the stale batch alone is written: " + captured);
        assertEquals(t0.toEpochMilli(), service.get(0).at("/_aws/Timestamp").asLong(),
                "stamped with its value's time, not the thaw's");
        assertEquals(4.0, service.get(0).path("Latency").asDouble());
        String line = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("request failed"))
                .findFirst().orElseThrow(() -> new AssertionError("no failure line: " + captured));
        JsonNode failure = Json.MAPPER.readTree(line);
        assertEquals(502, failure.path("status").asInt());
        assertEquals("upstream_error", failure.path("errorCode").asText());
        assertEquals("mock-\"1", failure.path("model").asText(), "quoted as JSON");
        assertEquals("chat.completions", failure.path("operation").asText());
        assertFalse(failure.has("_aws"));

        captured.reset();
        batched.flush();
        JsonNode second = documents().stream().filter(d -> d.has("Requests")).findFirst().orElseThrow();
        assertEquals(t0.plusSeconds(1200).toEpochMilli(), second.at("/_aws/Timestamp").asLong());
        assertEquals(1.0, second.path("Status5xx").asDouble(), "the failure's metrics are batched with the rest");
        assertEquals(1.0, second.path("Requests").asDouble());
    }

    @Test
    void resilience_retriesFallbacksAndBreakerTransitions_asEmfWithTheirDimensions() throws Exception {
        metrics.retry("openai/gpt-4o", "upstream_unavailable");
        metrics.fallback("gpt-4o", "claude", "context_window");
        metrics.breaker("openai/gpt-4o", "CLOSED", "OPEN", false);
        metrics.breaker("openai/gpt-4o", "CLOSED", "OPEN", true);
        metrics.breaker("openai/gpt-4o", "OPEN", "HALF_OPEN", false);
        metrics.breaker("openai/gpt-4o", "HALF_OPEN", "CLOSED", false);
        List<JsonNode> docs = all();
        assertEquals(6, docs.size(), () -> "one document each:\n" + captured);
        String[] names = {"Retries", "Fallbacks", "BreakerOpened", "BreakerOpenedElsewhere", "BreakerHalfOpen",
                "BreakerClosed"};
        for (int i = 0; i < names.length; i++) {
            JsonNode d = docs.get(i);
            assertEquals("Count", declaredMetrics(d).get(names[i]), d.toString());
            assertEquals(1.0, value(d, names[i]));
            assertEquals(i == 1 ? Set.of("Reason") : Set.of("Deployment"), dimensionKeys(d), d.toString());
        }
        assertEquals("openai/gpt-4o", docs.get(0).path("Deployment").asText());
        assertEquals("context_window", docs.get(1).path("Reason").asText());
        assertFalse(captured.toString(StandardCharsets.UTF_8).contains("upstream_unavailable"),
                "the error code is not a dimension (unbounded values stay out of CloudWatch's dimensions)");
    }

    @Test
    void request_upstreamDocumentPerProvider_modelDimensionOnlyForConfiguredModels() throws Exception {
        metrics.request(new RequestOutcome(200, 5_000_000, 3_000_000, "mock", "mock-1", 10, 20, null));
        metrics.request(new RequestOutcome(502, 2_000_000, 1_000_000, "mock", "caller-chosen-model", 0, 0,
                "upstream_error"));
        metrics.request(new RequestOutcome(200, 1_000_000, 0, "mock", "mock-1", 0, 0, null, "HIT-L1", 0, 0, 0, 0));
        List<JsonNode> upstream = all().stream().filter(d -> d.has("Provider")).toList();
        assertEquals(2, upstream.size(), "a cache hit called no provider: " + captured);
        JsonNode ok = upstream.get(0);
        assertEquals("mock", ok.path("Provider").asText());
        assertEquals("mock-1", ok.path("Model").asText(), "configured model: its own dimension value");
        assertEquals(1.0, value(ok, "UpstreamRequests"));
        assertEquals(0.0, value(ok, "UpstreamErrors"));
        assertEquals(3.0, value(ok, "UpstreamLatency"));
        assertEquals("[[\"Service\",\"Provider\"],[\"Service\",\"Provider\",\"Model\"]]",
                ok.at("/_aws/CloudWatchMetrics/0/Dimensions").toString());
        JsonNode failed = upstream.get(1);
        assertEquals(PowertoolsMetrics.OTHER_MODEL, failed.path("Model").asText(), "unbounded names are folded");
        assertEquals(1.0, value(failed, "UpstreamErrors"));
    }

    @Test
    void request_jvmDocumentAtMostOncePerInterval() throws Exception {
        for (int i = 0; i < 5; i++) {
            metrics.request(new RequestOutcome(200, 5_000_000, 3_000_000, "mock", "mock-1", 10, 20, null));
        }
        List<JsonNode> jvm = all().stream().filter(d -> d.has("JvmThreads")).toList();
        assertEquals(1, jvm.size(), captured::toString);
        JsonNode doc = jvm.get(0);
        assertEquals(FUNCTION, doc.path("FunctionName").asText());
        assertTrue(value(doc, "JvmThreads") >= 1);
        assertTrue(value(doc, "JvmHeapAfterGc") >= 0);
        assertTrue(value(doc, "JvmGcPause") >= 0);
        assertEquals("Megabytes", declaredMetrics(doc).get("JvmHeapAfterGc"));
    }

    @Test
    void noop_writesNothing() throws Exception {
        GatewayMetrics noop = GatewayMetrics.noop();
        noop.coldStart();
        noop.request(new RequestOutcome(200, 5_000_000, 3_000_000, "mock", "mock-1", 10, 20, null));
        noop.built("x", 1);
        assertTrue(documents().isEmpty(), captured::toString);
        // while the real implementation, called the same way, does write
        metrics.coldStart();
        assertEquals(1, documents().size());
    }
}
