package io.switchboard.core.provider.bedrock;

import java.io.Closeable;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamOutput;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;

/**
 * The bridge from the SDK's event publisher (Netty's threads) to the request thread, which writes to the caller: a
 * small bounded queue and explicit demand. {@link #PREFETCH} events are asked for at first and one more each time the
 * request thread has handled one ({@link #handled()}), so no more than {@link #PREFETCH} events ever wait and a slow
 * caller slows the upstream instead of filling memory. The end of the stream, its failure and {@link #close()}
 * (which cancels the call: the stream watch's way to stop it) arrive as signals in the same queue, after the events
 * before them.
 */
final class EventQueue implements Subscriber<ConverseStreamOutput>, Closeable {
    /** Events asked for ahead of the request thread. */
    static final int PREFETCH = 4;

    /** What the request thread takes. */
    sealed interface Signal permits Event, Done, Failed, Cancelled {
    }

    /** An event of the stream. */
    record Event(ConverseStreamOutput event) implements Signal {
    }

    /** The stream ended normally. */
    record Done() implements Signal {
    }

    /** The call or the stream failed. */
    record Failed(Throwable error) implements Signal {
    }

    /** The call was cancelled (by the stream watch). */
    record Cancelled() implements Signal {
    }

    private final BlockingQueue<Signal> queue = new ArrayBlockingQueue<>(PREFETCH + 2);
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Subscription subscription;
    private volatile CompletableFuture<Void> call;
    private volatile ConverseStreamResponse response;
    private volatile boolean cancelled;
    private volatile boolean drained;

    /** The response handler to pass to {@code converseStream}. */
    ConverseStreamResponseHandler handler() {
        return ConverseStreamResponseHandler.builder()
                .onResponse(r -> response = r)
                .onEventStream(p -> p.subscribe(this))
                .onError(this::fail)
                .build();
    }

    /** The call the events come from (cancelled by {@link #close()}). */
    void call(CompletableFuture<Void> f) {
        call = f;
        f.whenComplete((v, t) -> {
            if (t != null) {
                fail(t);
            }
        });
        if (cancelled) {
            f.cancel(true);
        }
    }

    /** The stream's initial response (its request id), once the upstream answered 200; else null. */
    ConverseStreamResponse response() {
        return response;
    }

    /** The next signal, waiting for it. */
    Signal take() throws InterruptedException {
        return queue.take();
    }

    /** The request thread handled an event: ask for one more. */
    void handled() {
        Subscription s = subscription;
        if (s != null) {
            s.request(1);
        }
    }

    /** The stream is complete: let whatever is left of it arrive unattended instead of cancelling it. */
    void drain() {
        drained = true;
        Subscription s = subscription;
        if (s != null) {
            s.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onSubscribe(Subscription s) {
        subscription = s;
        if (cancelled) {
            s.cancel();
        } else {
            s.request(PREFETCH);
        }
    }

    @Override
    public void onNext(ConverseStreamOutput event) {
        if (!drained && !queue.offer(new Event(event))) {
            fail(new IllegalStateException("the event publisher sent more than was asked for"));
        }
    }

    @Override
    public void onError(Throwable t) {
        fail(t);
    }

    @Override
    public void onComplete() {
        if (ended.compareAndSet(false, true)) {
            queue.offer(new Done());
        }
    }

    private void fail(Throwable t) {
        if (ended.compareAndSet(false, true)) {
            queue.offer(new Failed(t));
        }
    }

    /** Cancels the call unless it completed and wakes the request thread. Safe from any thread. */
    @Override
    public void close() {
        if (drained) {
            return;
        }
        cancelled = true;
        Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
        CompletableFuture<Void> f = call;
        if (f != null) {
            f.cancel(true);
        }
        queue.offer(new Cancelled());
    }
}
