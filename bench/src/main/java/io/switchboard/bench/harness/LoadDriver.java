package io.switchboard.bench.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A closed-loop driver: {@code concurrency} threads, each sending the same request to every target in turn
 * (A B C, then B C A, then C A B…), so drift of the machine during a round hits every target alike. Every request
 * must answer 200; the latency is taken from just before sending to the last byte of the body, and separately to its
 * first byte and, for a {@code text/event-stream}, to the end of its first {@code data:} event (the first thing an
 * SSE client can hand on). One {@link HttpClient} (HTTP/1.1, kept-alive connections) serves all targets.
 */
final class LoadDriver implements AutoCloseable {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * Latencies of one round, per target, in nanoseconds; {@code wallNanos} is the round's duration. For a body that
     * is not an event stream, or has no {@code data:} event, {@code firstEvent} is the whole body's latency.
     */
    record Round(List<long[]> total, List<long[]> firstByte, List<long[]> firstEvent, long wallNanos) {
    }

    /**
     * Sends {@code perThread} requests to each target from each of {@code concurrency} threads.
     *
     * @param body the JSON body, with {@code %MODEL%} where the target's model goes
     */
    Round run(List<Target> targets, String body, int concurrency, int perThread, Duration requestTimeout)
            throws InterruptedException {
        return run(targets, Collections.nCopies(targets.size(), body), concurrency, perThread,
                requestTimeout);
    }

    /**
     * As {@link #run(List, String, int, int, Duration)} with a body per target: the same target may appear more than
     * once with different bodies (streaming and not), all interleaved in the same rotation.
     */
    Round run(List<Target> targets, List<String> bodies, int concurrency, int perThread, Duration requestTimeout)
            throws InterruptedException {
        int n = targets.size();
        List<HttpRequest> requests = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Target t = targets.get(i);
            HttpRequest.Builder b = HttpRequest.newBuilder(t.url()).timeout(requestTimeout)
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i).replace("%MODEL%", t.model())));
            t.headers().forEach(b::header);
            requests.add(b.build());
        }
        long[][] total = new long[n][concurrency * perThread];
        long[][] first = new long[n][concurrency * perThread];
        long[][] event = new long[n][concurrency * perThread];
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
                            event[t][worker * perThread + i] = r[2];
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
        List<long[]> events = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            totals.add(total[t]);
            firsts.add(first[t]);
            events.add(event[t]);
        }
        return new Round(totals, firsts, events, wall);
    }

    /** {@code {total, first byte, first data: event}} in nanoseconds since just before sending. */
    private long[] send(HttpRequest request, String target) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        HttpResponse<InputStream> r = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        boolean events = r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream");
        long firstByte = -1;
        long firstEvent = -1;
        byte[] buf = new byte[8192];
        ByteArrayOutputStream kept = null;
        EventScan scan = new EventScan();
        try (InputStream in = r.body()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                long now = System.nanoTime() - t0;
                if (n == 0) {
                    continue;
                }
                if (firstByte < 0) {
                    firstByte = now;
                }
                if (events && firstEvent < 0 && scan.ended(buf, n)) {
                    firstEvent = now;
                }
                if (r.statusCode() != 200) {
                    kept = kept == null ? new ByteArrayOutputStream() : kept;
                    kept.write(buf, 0, n);
                }
            }
        }
        long t1 = System.nanoTime() - t0;
        if (r.statusCode() != 200) {
            byte[] body = kept == null ? new byte[0] : kept.toByteArray();
            throw new IOException(target + " answered " + r.statusCode() + ": "
                    + new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8));
        }
        return new long[] {t1, firstByte < 0 ? t1 : firstByte, firstEvent < 0 ? t1 : firstEvent};
    }

    /**
     * Finds the end of the first {@code data:} event in a body read piece by piece: a line starting with
     * {@code data:}, then the blank line that ends its event (LF or CRLF line ends). Comments ({@code : keep-alive})
     * and other fields before it are skipped.
     */
    static final class EventScan {
        private static final byte[] DATA = {'d', 'a', 't', 'a', ':'};
        private boolean lineStart = true;
        private int matched = -1; // bytes of "data:" matched at the start of the current line; -1: not a data line
        private boolean inData;   // a data: line was seen in the current event
        private boolean found;

        /** Feeds {@code n} bytes; true once the first data event has ended (and from then on). */
        boolean ended(byte[] b, int n) {
            for (int i = 0; i < n && !found; i++) {
                byte c = b[i];
                if (c == '\r') {
                    continue;
                }
                if (c == '\n') {
                    if (lineStart && inData) {
                        found = true;
                    }
                    if (matched == DATA.length) {
                        inData = true;
                    }
                    lineStart = true;
                    matched = -1;
                    continue;
                }
                if (lineStart) {
                    lineStart = false;
                    matched = c == DATA[0] ? 1 : -1;
                } else if (matched > 0 && matched < DATA.length) {
                    matched = c == DATA[matched] ? matched + 1 : -1;
                }
            }
            return found;
        }
    }

    @Override
    public void close() {
        client.shutdownNow();
    }
}
