package io.switchboard.bench.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The soak run's load: an open loop at a fixed rate (request {@code i} is due at {@code i / rate} seconds whatever
 * the answers before it took), at most {@value #WORKERS} in flight (beyond, the schedule slips and the lag is reported). Four lanes in turn: a repeated prompt (one of
 * {@value #REPEATED_PROMPTS}, a cache hit once cached) and a unique one (always a miss), each streamed and not; every
 * {@value #CHURN_EVERY}th request goes over a new connection (a client of its own, closed after it), so per-connection
 * leaks show too. Every prompt asks for {@code temperature} 0, so the default cache policy stores it.
 *
 * <p>Every answer is checked: status 200, the right content type, and the mock's content whole — for a stream, every
 * {@code data:} event JSON, no error event, the deltas adding up to the content and {@code data: [DONE]} last. Anything
 * else is an error, counted by kind with the first few kept.
 */
final class SoakLoad implements AutoCloseable {
    /** Most requests in flight. */
    static final int WORKERS = 16;
    /**
     * Requests at once in the warm-up: four times the most in flight, so that the gateway never needs an execution
     * environment the warm-up did not make (an environment stays busy a moment after its answer, so under a stall of
     * the machine up to twice the requests in flight can each hold one).
     */
    static final int WARM_UP_CONCURRENCY = 64;
    /** Every this many requests one goes over a connection of its own. */
    static final int CHURN_EVERY = 20;
    /** Distinct repeated prompts. */
    static final int REPEATED_PROMPTS = 16;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int KEPT_ERRORS = 10;

    private final Target target;
    private final String expected;
    private final String runId;
    private final HttpClient client;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore inFlight = new Semaphore(WORKERS);
    private final LongAdder sent = new LongAdder();
    private final LongAdder ok = new LongAdder();
    private final LongAdder churned = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> cache = new ConcurrentHashMap<>();
    private final List<String> errorSamples = new ArrayList<>();
    private final AtomicLong maxLagNanos = new AtomicLong();
    private final AtomicLong next = new AtomicLong(1L << 32); // the measured run's indexes, apart from the warm-up's
    private long[] all = new long[1 << 12];
    private int allCount;
    private long[] window = new long[1 << 10];
    private int windowCount;
    private long windowErrors;
    private volatile long warmUpRequests;

    /** Load on {@code target}, whose answers carry {@code expected} as their content. */
    SoakLoad(Target target, String expected, String runId) {
        this.target = target;
        this.expected = expected;
        this.runId = runId;
        this.client = newClient();
    }

    private static HttpClient newClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** Request {@code i}'s body: lane {@code i % 4} (streamed: odd; repeated prompt: lanes 0 and 1). */
    String body(long i) {
        boolean stream = i % 2 == 1;
        boolean repeated = (i / 2) % 2 == 0;
        String prompt = repeated ? "Soak prompt " + (i / 4) % REPEATED_PROMPTS + ": summarise the benefits of an LLM "
                + "gateway in one paragraph." : "Soak prompt " + runId + "-" + i + ": a question asked only once.";
        return "{\"model\":\"" + target.model() + "\",\"temperature\":0,\"max_tokens\":64,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
    }

    /**
     * {@value #WARM_UP_CONCURRENCY} threads at once, closed loop, for {@code duration}, on the run's four lanes: every
     * connection of the shared client, more of the gateway's execution environments than the run can need, and what
     * each environment makes lazily (its connections to the upstream, to L2 and to DynamoDB, the AWS SDK clients'
     * scheduler threads, up to five per client, one per call until then), made before the measured run so that they
     * are not counted as growth. Its errors count; its latencies do not.
     */
    void warmUp(Duration duration) throws InterruptedException {
        long end = System.nanoTime() + duration.toNanos();
        AtomicLong k = new AtomicLong();
        CountDownLatch done = new CountDownLatch(WARM_UP_CONCURRENCY);
        for (int w = 0; w < WARM_UP_CONCURRENCY; w++) {
            threads.execute(() -> {
                try {
                    while (System.nanoTime() < end) {
                        request(k.getAndIncrement(), false);
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        if (!done.await(duration.toSeconds() + TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS)) {
            throw new IllegalStateException("warm-up did not finish");
        }
        measureFromNow();
    }

    /** Starts the measured run: latencies from now on, requests so far counted as the warm-up's. */
    synchronized void measureFromNow() {
        allCount = 0;
        windowCount = 0;
        warmUpRequests = sent.sum();
    }

    /** Requests before the measured run (warm-up and settling). */
    long warmUpRequests() {
        return warmUpRequests;
    }

    /**
     * Sends at {@code rate} requests per second for {@code duration}, then waits for the last answers (at most the
     * request timeout). {@code stop} ends it early when set.
     */
    void run(Duration duration, int rate, java.util.function.BooleanSupplier stop) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long period = 1_000_000_000L / rate;
        for (long k = 0; !stop.getAsBoolean(); k++) {
            long due = start + k * period;
            if (due >= end) {
                break;
            }
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            inFlight.acquire(); // at most WORKERS in flight: beyond, the schedule slips (reported as lag)
            long lag = System.nanoTime() - due;
            maxLagNanos.accumulateAndGet(lag, Math::max);
            long i = next.getAndIncrement();
            threads.execute(() -> {
                try {
                    request(i, i % CHURN_EVERY == CHURN_EVERY - 1);
                } finally {
                    inFlight.release();
                }
            });
        }
        if (!inFlight.tryAcquire(WORKERS, TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS)) {
            record(-1, "unfinished", "requests still in flight " + (TIMEOUT.toSeconds() + 5) + " s after the end");
        } else {
            inFlight.release(WORKERS);
        }
    }

    private void request(long i, boolean ownConnection) {
        boolean stream = i % 2 == 1;
        HttpRequest.Builder b = HttpRequest.newBuilder(target.url()).timeout(TIMEOUT)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(i)));
        target.headers().forEach(b::header);
        HttpRequest req = b.build();
        sent.increment();
        long t0 = System.nanoTime();
        String problem;
        try {
            HttpResponse<byte[]> r;
            if (ownConnection) {
                churned.increment();
                try (HttpClient own = newClient()) {
                    r = own.send(req, HttpResponse.BodyHandlers.ofByteArray());
                }
            } else {
                r = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
            }
            cache.computeIfAbsent(r.headers().firstValue("x-switchboard-cache").orElse("none"),
                    k -> new LongAdder()).increment();
            problem = check(stream, r.statusCode(), r.headers().firstValue("content-type").orElse(""), r.body(),
                    expected);
        } catch (IOException e) {
            problem = "transport: " + e.getClass().getSimpleName() + " " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "transport: interrupted";
        } catch (RuntimeException e) {
            problem = "driver: " + e;
        }
        long nanos = System.nanoTime() - t0;
        if (problem == null) {
            ok.increment();
            record(nanos, null, null);
        } else {
            int colon = problem.indexOf(':');
            record(nanos, colon > 0 ? problem.substring(0, colon) : problem, (stream ? "stream " : "whole ") + problem);
        }
    }

    private synchronized void record(long nanos, String kind, String detail) {
        if (nanos >= 0) {
            if (allCount == all.length) {
                all = Arrays.copyOf(all, all.length * 2);
            }
            all[allCount++] = nanos;
            if (windowCount == window.length) {
                window = Arrays.copyOf(window, window.length * 2);
            }
            window[windowCount++] = nanos;
        }
        if (kind != null) {
            errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
            windowErrors++;
            if (errorSamples.size() < KEPT_ERRORS) {
                errorSamples.add(detail.length() > 400 ? detail.substring(0, 400) + "..." : detail);
            }
        }
    }

    /**
     * Why an answer is not the mock's content delivered whole, or null when it is: {@code status: …},
     * {@code content-type: …}, {@code body: …} (not the completion), {@code stream: …} (broken or incomplete).
     */
    static String check(boolean stream, int status, String contentType, byte[] body, String expected) {
        String text = new String(body, StandardCharsets.UTF_8);
        if (status != 200) {
            return "status: " + status + " " + (text.length() > 200 ? text.substring(0, 200) : text);
        }
        if (stream) {
            if (!contentType.startsWith("text/event-stream")) {
                return "content-type: " + contentType + " for a stream";
            }
            StringBuilder got = new StringBuilder();
            boolean done = false;
            for (String line : text.split("\r?\n")) {
                if (!line.startsWith("data:")) {
                    continue; // blank lines between events, comments (": keep-alive"), other fields
                }
                String data = line.substring(5).strip();
                if (done) {
                    return "stream: data after [DONE]";
                }
                if (data.equals("[DONE]")) {
                    done = true;
                    continue;
                }
                JsonNode chunk;
                try {
                    chunk = Json.MAPPER.readTree(data);
                } catch (IOException e) {
                    return "stream: an event that is not JSON";
                }
                if (chunk.has("error")) {
                    return "stream: error event " + chunk.path("error").path("code").asText();
                }
                for (JsonNode c : chunk.path("choices")) {
                    JsonNode content = c.path("delta").path("content");
                    if (content.isTextual()) {
                        got.append(content.asText());
                    }
                }
            }
            if (!done) {
                return "stream: ended without [DONE]";
            }
            return got.toString().equals(expected) ? null : "stream: content of " + got.length() + " chars, not the "
                    + expected.length() + " sent";
        }
        if (!contentType.startsWith("application/json")) {
            return "content-type: " + contentType;
        }
        try {
            JsonNode c = Json.MAPPER.readTree(body);
            if (!"chat.completion".equals(c.path("object").asText())) {
                return "body: not a chat.completion";
            }
            String content = c.path("choices").path(0).path("message").path("content").asText();
            return content.equals(expected) ? null : "body: content of " + content.length() + " chars, not the "
                    + expected.length() + " sent";
        } catch (IOException e) {
            return "body: not JSON";
        }
    }

    /**
     * The requests answered since the last call.
     *
     * @param answered requests answered (well or not) in the window
     * @param errors errors in the window
     * @param p50Nanos median latency, -1 when none
     * @param p99Nanos 99th percentile, -1 when none
     */
    record Window(int answered, long errors, long p50Nanos, long p99Nanos) {
    }

    synchronized Window drainWindow() {
        long[] w = Arrays.copyOf(window, windowCount);
        long e = windowErrors;
        windowCount = 0;
        windowErrors = 0;
        Arrays.sort(w);
        return new Window(w.length, e, w.length == 0 ? -1 : at(w, 0.5), w.length == 0 ? -1 : at(w, 0.99));
    }

    private static long at(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    long sent() {
        return sent.sum();
    }

    long errorCount() {
        return errors.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Cache outcomes by {@code x-switchboard-cache} value. */
    Map<String, Long> cacheOutcomes() {
        Map<String, Long> m = new TreeMap<>();
        cache.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /** The totals as JSON: requests, errors by kind and the first few, cache outcomes, latency, schedule lag. */
    synchronized ObjectNode summary() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("sent", sent.sum());
        n.put("warm_up", warmUpRequests);
        n.put("ok", ok.sum());
        n.put("own_connection", churned.sum());
        n.put("errors", errorCount());
        ObjectNode byKind = n.putObject("errors_by_kind");
        new TreeMap<>(errors).forEach((k, v) -> byKind.put(k, v.sum()));
        var samples = n.putArray("error_samples");
        errorSamples.forEach(samples::add);
        ObjectNode c = n.putObject("cache");
        cacheOutcomes().forEach(c::put);
        if (allCount > 0) {
            n.set("latency", Harness.tree(io.switchboard.bench.Percentiles.of(Arrays.copyOf(all, allCount)).json()));
        }
        n.put("max_schedule_lag_ms", Harness.round3(maxLagNanos.get() / 1e6));
        return n;
    }

    @Override
    public void close() {
        threads.shutdownNow();
        client.shutdownNow();
    }
}
