package io.switchboard.core.catalog;

import io.switchboard.core.Ticker;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.config.ProviderType;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Lists every provider's models concurrently: at most {@code parallelism} providers at once, each bounded by
 * {@code timeout} from when its listing starts. A slow or failing provider yields a failed {@link ProviderListing}
 * and never delays the others beyond its own timeout.
 */
public final class ModelDiscovery {
    private final Map<ProviderType, ModelLister> listers;
    private final int parallelism;
    private final Duration timeout;
    private final Ticker ticker;

    /** Discovery with one lister per provider type; types without one are reported as failures. */
    public ModelDiscovery(Map<ProviderType, ModelLister> listers, int parallelism, Duration timeout, Ticker ticker) {
        this.listers = listers.isEmpty() ? Map.of() : new EnumMap<>(listers);
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be positive");
        }
        this.parallelism = parallelism;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    /** Lists {@code providers}; returns one listing per provider, in the given order. */
    public List<ProviderListing> run(Collection<ProviderConfig> providers) {
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Semaphore permits = new Semaphore(parallelism);
            List<Future<ProviderListing>> futures = new ArrayList<>();
            for (ProviderConfig p : providers) {
                futures.add(threads.submit(() -> listBounded(threads, permits, p)));
            }
            List<ProviderListing> out = new ArrayList<>(futures.size());
            int i = 0;
            for (ProviderConfig p : providers) {
                out.add(await(futures.get(i++), p));
            }
            return out;
        } finally {
            threads.shutdownNow();
        }
    }

    private ProviderListing await(Future<ProviderListing> f, ProviderConfig p) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ProviderListing(p.name(), List.of(), "interrupted", 0);
        } catch (ExecutionException e) {
            return new ProviderListing(p.name(), List.of(), reason(e.getCause()), 0);
        }
    }

    private ProviderListing listBounded(ExecutorService threads, Semaphore permits, ProviderConfig p)
            throws InterruptedException {
        permits.acquire();
        long start = ticker.read();
        try {
            ModelLister lister = listers.get(p.type());
            if (lister == null) {
                return new ProviderListing(p.name(), List.of(), "no_lister_for_" + p.type().id(), 0);
            }
            Future<List<DiscoveredModel>> call = threads.submit(() -> lister.list(p, timeout));
            try {
                List<DiscoveredModel> models = call.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
                return new ProviderListing(p.name(), models, null, ticker.read() - start);
            } catch (TimeoutException e) {
                call.cancel(true);
                return new ProviderListing(p.name(), List.of(), "timeout", ticker.read() - start);
            } catch (ExecutionException e) {
                return new ProviderListing(p.name(), List.of(), reason(e.getCause()), ticker.read() - start);
            }
        } finally {
            permits.release();
        }
    }

    private static String reason(Throwable t) {
        if (t instanceof ListingException l) {
            return l.reason();
        }
        if (t instanceof HttpTimeoutException) {
            return "timeout";
        }
        if (t instanceof ConnectException) {
            return "unreachable";
        }
        if (t instanceof IOException) {
            return "io_error";
        }
        return t == null ? "error" : t.getClass().getSimpleName();
    }

    /** A listing failure with a short, caller-safe reason such as {@code http_503} or {@code invalid_response}. */
    public static final class ListingException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String reason;

        /** A failure for {@code reason}. */
        public ListingException(String reason) {
            super(reason, null, false, false);
            this.reason = reason;
        }

        /** The short reason. */
        public String reason() {
            return reason;
        }
    }
}
