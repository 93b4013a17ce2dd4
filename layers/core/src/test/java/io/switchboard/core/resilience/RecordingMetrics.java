package io.switchboard.core.resilience;

import io.switchboard.core.metrics.GatewayMetrics;
import io.switchboard.core.metrics.RequestOutcome;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Metrics that remember the resilience events, as lines such as {@code retry bad 503}. */
final class RecordingMetrics implements GatewayMetrics {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<RequestOutcome> requests = new CopyOnWriteArrayList<>();

    @Override
    public void coldStart() {
    }

    @Override
    public void request(RequestOutcome outcome) {
        requests.add(outcome);
    }

    @Override
    public void built(String name, long nanos) {
    }

    @Override
    public void attempt(String deployment, long nanos, String errorCode) {
        events.add("attempt " + deployment + " " + (errorCode == null ? "ok" : errorCode));
    }

    @Override
    public void retry(String deployment, String errorCode) {
        events.add("retry " + deployment + " " + errorCode);
    }

    @Override
    public void fallback(String from, String to, String reason) {
        events.add("fallback " + from + " " + to + " " + reason);
    }

    @Override
    public void breaker(String deployment, String from, String to, boolean remote) {
        events.add("breaker " + deployment + " " + from + ">" + to + (remote ? " remote" : ""));
    }

    long count(String prefix) {
        return events.stream().filter(e -> e.startsWith(prefix)).count();
    }
}
