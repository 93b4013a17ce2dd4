package io.switchboard.bench.harness;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A closed-loop driver: {@code concurrency} threads, each sending the same request to every target in turn
 * (A B C, then B C A, then C A B…), so drift of the machine during a round hits every target alike. Every request
 * must answer 200; the latency is taken from just before sending to the last byte of the body (and, separately, to
 * its first byte). One {@link HttpClient} (HTTP/1.1, kept-alive connections) serves all targets.
 */
final class LoadDriver implements AutoCloseable {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** Latencies of one round, per target, in nanoseconds; {@code wallNanos} is the round's duration. */
    record Round(List<long[]> total, List<long[]> firstByte, long wallNanos) {
    }

    /**
     * Sends {@code perThread} requests to each target from each of {@code concurrency} threads.
     *
     * @param body the JSON body, with {@code %MODEL%} where the target's model goes
     */
    Round run(List<Target> targets, String body, int concurrency, int perThread, Duration requestTimeout)
            throws InterruptedException {
        int n = targets.size();
        List<HttpRequest> requests = new ArrayList<>(n);
        for (Target t : targets) {
            HttpRequest.Builder b = HttpRequest.newBuilder(t.url()).timeout(requestTimeout)
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.replace("%MODEL%", t.model())));
            t.headers().forEach(b::header);
            requests.add(b.build());
        }
        long[][] total = new long[n][concurrency * perThread];
        long[][] first = new long[n][concurrency * perThread];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(concurrency);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            int worker = w;
            threads.add(Thread.ofPlatform().name("bench-driver-" + w).start(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perThread && failure.get() == null; i++) {
                        for (int k = 0; k < n; k++) {
                            int t = (k + i + worker) % n;
                            long[] r = send(requests.get(t), targets.get(t).name());
                            total[t][worker * perThread + i] = r[0];
                            first[t][worker * perThread + i] = r[1];
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            }));
        }
        long t0 = System.nanoTime();
        start.countDown();
        done.await();
        long wall = System.nanoTime() - t0;
        if (failure.get() != null) {
            throw new IllegalStateException("load round failed: " + failure.get().getMessage(), failure.get());
        }
        List<long[]> totals = new ArrayList<>();
        List<long[]> firsts = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            totals.add(total[t]);
            firsts.add(first[t]);
        }
        return new Round(totals, firsts, wall);
    }

    private long[] send(HttpRequest request, String target) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        HttpResponse<InputStream> r = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        long firstByte;
        byte[] body;
        try (InputStream in = r.body()) {
            int b = in.read();
            firstByte = System.nanoTime() - t0;
            body = in.readAllBytes();
            if (b < 0) {
                body = new byte[0];
            }
        }
        long t1 = System.nanoTime() - t0;
        if (r.statusCode() != 200) {
            throw new IOException(target + " answered " + r.statusCode() + ": "
                    + new String(body, 0, Math.min(body.length, 300), java.nio.charset.StandardCharsets.UTF_8));
        }
        return new long[] {t1, firstByte};
    }

    @Override
    public void close() {
        client.shutdownNow();
    }
}
