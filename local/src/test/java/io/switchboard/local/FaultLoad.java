package io.switchboard.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Steady concurrent load for the fault runs: {@code threads} clients, each sending requests back to back over
 * loopback HTTP/1.1 until {@link #close()}, every answer recorded with when it started and ended, its status, its
 * error code (OpenAI's {@code error.code}, also inside a stream's error event) and the headers the runs look at.
 * Phases are time windows: {@link #mark()} returns "now" on the same clock as the results.
 */
final class FaultLoad implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one client sends next: the {@code n}-th request of client {@code client}. */
    interface Requests {
        HttpRequest next(int client, long n);
    }

    /**
     * One answer.
     *
     * @param startNanos when it was sent ({@link System#nanoTime()})
     * @param endNanos when its body was read whole
     * @param status the HTTP status, or -1 when the exchange failed (then {@code code} is the exception's class)
     * @param code {@code error.code} of an error answer or of a stream's error event, else null
     * @param headers the response's headers (first value each)
     * @param body the body
     * @param tag the request's {@code x-fault-tag} header (what the run sent: model, streamed or not), or null
     */
    record Result(long startNanos, long endNanos, int status, String code, Map<String, String> headers, String body,
            String tag) {
        double millis() {
            return (endNanos - startNanos) / 1e6;
        }

        String header(String name) {
            return headers.get(name);
        }

        /** 200 and no error event in the body. */
        boolean ok() {
            return status == 200 && code == null;
        }

        /** The answer's outcome in a word: {@code 200}, or status and code. */
        String outcome() {
            return status == 200 && code == null ? "200" : status + " " + code;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ConcurrentLinkedQueue<Result> results = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong sent = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean held;
    private final List<Thread> clients = new ArrayList<>();

    private FaultLoad() {
    }

    /** Starts {@code threads} clients sending {@code requests}. */
    static FaultLoad start(int threads, Requests requests) {
        FaultLoad load = new FaultLoad();
        for (int c = 0; c < threads; c++) {
            int client = c;
            load.clients.add(Thread.ofPlatform().daemon().name("fault-load-" + c).start(() -> load.run(client,
                    requests)));
        }
        return load;
    }

    private void run(int client, Requests requests) {
        long n = 0;
        while (running.get()) {
            if (held) {
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
                continue;
            }
            inFlight.incrementAndGet();
            try {
                if (held) {
                    continue;
                }
                results.add(send(http, requests.next(client, n++)));
                sent.incrementAndGet();
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    /** Holds the clients: each finishes its request in flight and sends nothing more until {@link #release()}. */
    void hold() throws InterruptedException {
        held = true;
        while (inFlight.get() > 0) {
            Thread.sleep(2);
        }
    }

    /** Lets held clients go on. */
    void release() {
        held = false;
    }

    /** Sends one request and records nothing: for probes between phases. */
    static Result send(HttpClient http, HttpRequest request) {
        long start = System.nanoTime();
        String tag = request.headers().firstValue("x-fault-tag").orElse(null);
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            Map<String, String> headers = new TreeMap<>();
            r.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.isEmpty() ? "" : v.get(0)));
            return new Result(start, System.nanoTime(), r.statusCode(), code(r.body()), headers, r.body(), tag);
        } catch (Exception e) {
            return new Result(start, System.nanoTime(), -1, e.getClass().getSimpleName(), Map.of(), "", tag);
        }
    }

    /** {@code error.code} of a JSON error body, or of the error event ending an event stream; null otherwise. */
    static String code(String body) {
        if (body == null || body.isEmpty()) {
            return null;
        }
        try {
            if (body.startsWith("{")) {
                JsonNode e = JSON.readTree(body).get("error");
                return e == null ? null : e.path("code").asText("null");
            }
            for (String line : body.split("\n")) {
                if (line.startsWith("data: {\"error\"")) {
                    return JSON.readTree(line.substring(6)).get("error").path("code").asText("null");
                }
            }
            return null;
        } catch (Exception notJson) {
            return "unreadable-body";
        }
    }

    /** Now, on the results' clock. */
    static long mark() {
        return System.nanoTime();
    }

    /** Answers received so far. */
    long count() {
        return sent.get();
    }

    /** Waits until at least {@code n} more answers arrived (or {@code limit} passed). */
    void awaitMore(long n, Duration limit) throws InterruptedException {
        long target = sent.get() + n;
        long until = System.nanoTime() + limit.toNanos();
        while (sent.get() < target && System.nanoTime() < until) {
            Thread.sleep(5);
        }
    }

    /** Every answer so far. */
    List<Result> results() {
        return List.copyOf(results);
    }

    /** The answers of requests that started in {@code [from, to)}. */
    List<Result> startedBetween(long from, long to) {
        return results.stream().filter(r -> r.startNanos() >= from && r.startNanos() < to).toList();
    }

    /** The answers of requests that were in flight at some time in {@code [from, to)}. */
    List<Result> overlapping(long from, long to) {
        return results.stream().filter(r -> r.startNanos() < to && r.endNanos() >= from).toList();
    }

    /** Outcome counts ({@code 200}, {@code 429 rate_limiter_unavailable}, ...), sorted. */
    static Map<String, Integer> outcomes(List<Result> rs) {
        Map<String, Integer> m = new TreeMap<>();
        rs.forEach(r -> m.merge(r.outcome(), 1, Integer::sum));
        return m;
    }

    /** How many of {@code rs} match. */
    static long count(List<Result> rs, Predicate<Result> p) {
        return rs.stream().filter(p).count();
    }

    /** Latency order statistics in milliseconds. */
    record Latency(int n, double p50, double p99, double max) {
        static Latency of(List<Result> rs) {
            double[] ms = rs.stream().mapToDouble(Result::millis).sorted().toArray();
            if (ms.length == 0) {
                return new Latency(0, 0, 0, 0);
            }
            return new Latency(ms.length, at(ms, 0.50), at(ms, 0.99), ms[ms.length - 1]);
        }

        private static double at(double[] sorted, double q) {
            int i = (int) Math.ceil(q * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "n=%d p50=%.1f ms p99=%.1f ms max=%.1f ms", n, p50, p99, max);
        }
    }

    /** Stops the clients (each finishes its request in flight). */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : clients) {
            t.join(Duration.ofSeconds(60));
        }
    }

    @Override
    public String toString() {
        return "FaultLoad" + Arrays.asList(sent.get(), outcomes(results()));
    }
}
