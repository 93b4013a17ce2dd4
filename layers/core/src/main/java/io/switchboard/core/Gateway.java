package io.switchboard.core;

import io.switchboard.core.auth.Tenant;
import io.switchboard.core.aws.EnvironmentClients;
import io.switchboard.core.catalog.CatalogSnapshots;
import io.switchboard.core.snapstart.CheckpointHooks;
import io.switchboard.core.snapstart.PrimingSamples;
import io.switchboard.shared.config.GatewayConfig;
import io.switchboard.shared.config.ModelRoute;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.json.ChatResponseReader;
import io.switchboard.shared.json.EmbeddingJson;
import java.util.List;
import org.crac.Context;
import org.crac.Resource;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.cache.CacheSettings;
import io.switchboard.core.cache.InvalidationStore;
import io.switchboard.core.cache.InvalidationView;
import io.switchboard.core.cache.L1Cache;
import io.switchboard.core.cache.L2Guard;
import io.switchboard.core.cache.L2Store;
import io.switchboard.core.cache.ResponseCache;
import io.switchboard.core.cache.ValkeyL2Store;
import io.switchboard.core.catalog.ModelCatalog;
import io.switchboard.core.completion.CompletionService;
import io.switchboard.core.embeddings.EmbeddingService;
import io.switchboard.core.health.HealthService;
import io.switchboard.core.health.InitTimings;
import io.switchboard.core.config.MetricsMode;
import io.switchboard.core.config.Settings;
import io.switchboard.core.http.GatewayRequest;
import io.switchboard.core.http.BufferedResponse;
import io.switchboard.core.http.CallerGoneException;
import io.switchboard.core.http.ErrorResponses;
import io.switchboard.core.http.GatewayResponse;
import io.switchboard.core.http.ResponseSink;
import io.switchboard.core.metrics.GatewayMetrics;
import io.switchboard.core.metrics.PowertoolsMetrics;
import io.switchboard.core.provider.ModelRouter;
import io.switchboard.core.provider.ProviderFactory;
import io.switchboard.core.provider.ProviderRegistry;
import io.switchboard.core.provider.mock.Sleeper;
import io.switchboard.core.resilience.BreakerBoard;
import io.switchboard.core.resilience.Resilience;
import io.switchboard.core.resilience.SharedBreakerState;
import io.switchboard.core.resilience.ValkeyBreakerState;
import io.switchboard.core.resilience.Waits;
import io.switchboard.core.secrets.SecretResolver;
import io.switchboard.core.secrets.SecretStore;
import io.switchboard.core.secrets.SsmSecretStore;
import io.switchboard.core.net.Http1Client;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The completion function's composition root: one execution environment's gateway, built once per environment from
 * its {@link Settings} — its {@link EnvironmentClients}, providers, catalog, cache, completion and embeddings
 * pipelines and SnapStart hooks — then serving every request of that environment. Cheap to construct; every client and provider is built on
 * first use.
 */
public final class Gateway implements AutoCloseable {
    /** The completion route. */
    public static final String CHAT_COMPLETIONS = "/v1/chat/completions";
    /** The embeddings route. */
    public static final String EMBEDDINGS = "/v1/embeddings";

    private final Settings settings;
    private final Ticker ticker;
    private final GatewayMetrics metrics;
    private final EnvironmentClients clients;
    private final Lazy<Http1Client> httpClient;
    private final SsmSecretStore ssm;
    private final ProviderRegistry registry;
    private final CompletionService completions;
    private final EmbeddingService embeddings;
    private final ResponseCache cache;
    private final ModelCatalog catalog;
    private final AtomicBoolean cold = new AtomicBoolean(true);
    private final SecretResolver secrets;
    private final InstantSource clock;
    private final CheckpointHooks hooks;
    private final InitTimings timings;
    private final HealthService health;
    private final io.switchboard.core.governance.Governance governance;

    private Gateway(Builder b) {
        this.settings = b.settings;
        this.ticker = b.ticker;
        long initStart = ticker.read();
        this.metrics = b.metrics != null ? b.metrics
                : settings.metrics() == MetricsMode.OFF ? GatewayMetrics.noop()
                : PowertoolsMetrics.create(settings, b.processEnv, b.clock, b.ticker);
        this.timings = new InitTimings(metrics);
        this.clients = EnvironmentClients.of(settings, ticker, timings);
        this.httpClient = clients.upstream();
        this.ssm = clients.ssm();
        SecretStore store = b.secretStore != null ? b.secretStore : ssm;
        this.secrets = new SecretResolver(settings.env(), store, ticker, settings.secretTtl());
        this.clock = b.clock;
        this.registry = new ProviderRegistry(
                new ProviderFactory(httpClient, secrets, b.clock, b.sleeper, clients.bedrockRuntime())::create);
        this.catalog = ModelCatalog.builder(settings).clients(clients).ticker(ticker).clock(b.clock).listener(timings)
                .build();
        CacheSettings cs = settings.cache();
        SharedBreakerState sharedBreakers = null;
        L2Guard guard = null;
        L2Store sharedL2 = null;
        L2Store limitsL2 = b.l2;
        if (cs.enabled()) {
            L2Store l2 = b.l2 != null ? b.l2 : cs.hasL2() ? new ValkeyL2Store(cs, settings.region(),
                    () -> clients.credentials().resolveCredentials(), Clock.systemUTC(), ticker, metrics) : null;
            limitsL2 = l2;
            L1Cache l1 = new L1Cache(cs.l1MaxBytes(), cs.l1Ttl(), ticker);
            guard = new L2Guard(cs.failuresToOpen(), cs.openFor(), ticker);
            sharedBreakers = l2 instanceof ValkeyL2Store valkey ? new ValkeyBreakerState(valkey) : null;
            InvalidationView view = l2 instanceof InvalidationStore s
                    ? new InvalidationView(s, l1, guard, ticker, settings.invalidation().staleness()) : null;
            this.cache = new ResponseCache(cs, l1, l2, guard, ticker, view);
            sharedL2 = l2;
        } else {
            this.cache = null;
        }
        this.health = new HealthService(settings, timings, catalog.snapshots(), sharedL2, guard, ticker);
        Authenticator authenticator = new Authenticator(settings.config().apiKeys());
        ModelRouter router = new ModelRouter(settings.config(), catalog.snapshots());
        GatewayConfig config = settings.config();
        BreakerBoard breakers = new BreakerBoard(config.resilience().breaker(), ticker, sharedBreakers, guard, metrics);
        Resilience resilience = new Resilience(config.resilience(), router::resolve, breakers, ticker, b.waits,
                b.random, metrics);
        health.register(new io.switchboard.core.health.HealthContributor() {
            @Override
            public String name() {
                return "breakers";
            }

            @Override
            public Map<String, Object> health(boolean deep) {
                return breakers.states();
            }
        });
        if (limitsL2 == null && cs.l2Url() != null
                && io.switchboard.core.governance.GovernanceSettings.from(settings.env()).hasKeysTable()) {
            // the response cache is off, but limits and budgets still count in L2
            limitsL2 = new ValkeyL2Store(cs, settings.region(), () -> clients.credentials().resolveCredentials(),
                    Clock.systemUTC(), ticker, metrics);
        }
        this.governance = io.switchboard.core.governance.GovernanceFactory.create(settings, clients,
                limitsL2 instanceof ValkeyL2Store v ? v : null, ticker, b.clock, metrics);
        this.completions = new CompletionService(config, authenticator, router, registry, metrics, ticker,
                cache, cs, settings.stream(), resilience, governance);
        this.embeddings = new EmbeddingService(settings.config(), authenticator, router, registry, metrics, ticker,
                cache, cs, resilience, governance);
        // Registration order is the restore order; checkpoint runs it backwards: prime first, then close.
        this.hooks = new CheckpointHooks(true);
        hooks.register(CheckpointHooks.closing("clients", clients));
        if (cache != null) {
            hooks.register(CheckpointHooks.closing("l2-connection", cache));
        }
        hooks.register(new Primer());
        timings.built("gateway", ticker.read() - initStart);
    }

    /** Primes before a snapshot and re-arms after a restore; see {@link #prime()}. */
    private final class Primer implements Resource {
        @Override
        public void beforeCheckpoint(Context<? extends Resource> context) {
            prime();
            if (governance != null) {
                governance.flushAll(); // a snapshot holding spend would have every restored copy write it again
            }
            metrics.flush(); // likewise for gathered metrics
            if (cache != null) {
                cache.l1().clear();
            }
        }

        @Override
        public void afterRestore(Context<? extends Resource> context) {
            long start = ticker.read();
            cold.set(true); // a restored environment is a new one: its first request is a cold start
            secrets.invalidate(); // keys are read again, with the restored environment's credentials
            catalog.snapshots().expire(); // the snapshot's catalog may be old: check the generation first
            timings.built("snapstart-restore", ticker.read() - start);
        }

        @Override
        public String toString() {
            return "prime request path";
        }
    }

    /**
     * Runs the request path offline and read-only, so a SnapStart snapshot holds its classes loaded and its code
     * warm: resolves every configured model through the bundled catalog, builds and primes every provider (no I/O:
     * a bedrock provider translates a sample request and stream and builds its SDK clients), sends the
     * {@link PrimingSamples} through complete completion and embeddings pipelines (mock provider, an L1 of their own,
     * no L2, no metrics) as a priming tenant, parses a provider completion and a provider embeddings answer, and
     * writes one {@code LazyInit} metric for the priming itself. Touches no socket, no key and no shared cache.
     *
     * @return how many sample requests were served
     */
    public int prime() {
        long start = ticker.read();
        GatewayConfig config = settings.config();
        ModelRouter bundled = new ModelRouter(config, CatalogSnapshots.ofConfig(config));
        for (String alias : config.models().keySet()) {
            bundled.resolve(alias);
        }
        config.providers().values().forEach(p -> registry.get(p).prime());
        ChatResponseReader.read(PrimingSamples.PROVIDER_COMPLETION);
        EmbeddingJson.readResponse(PrimingSamples.PROVIDER_EMBEDDING, "prime");
        CacheSettings cs = settings.cache();
        ResponseCache primingCache = new ResponseCache(cs, new L1Cache(1 << 20, cs.l1Ttl(), ticker), null,
                new L2Guard(cs.failuresToOpen(), cs.openFor(), ticker), ticker);
        CompletionService primer = primingService(primingCache);
        Tenant tenant = new Tenant("__prime");
        int served = 0;
        for (byte[] body : PrimingSamples.REQUESTS) {
            primer.handleAs(tenant, new GatewayRequest("POST", CHAT_COMPLETIONS,
                    Map.of("content-type", "application/json"), body, "prime-" + served, Long.MAX_VALUE), ticker.read());
            served++;
        }
        GatewayConfig primeConfig = primingConfig();
        EmbeddingService embeddingPrimer = new EmbeddingService(primeConfig, new Authenticator(List.of()),
                new ModelRouter(primeConfig, CatalogSnapshots.ofConfig(primeConfig)), primingRegistry(),
                GatewayMetrics.noop(), ticker, primingCache, cs);
        for (byte[] body : PrimingSamples.EMBEDDING_REQUESTS) {
            embeddingPrimer.handleAs(tenant, new GatewayRequest("POST", EMBEDDINGS,
                    Map.of("content-type", "application/json"), body, "prime-" + served, Long.MAX_VALUE), ticker.read());
            served++;
        }
        metrics.built("snapstart-priming", ticker.read() - start);
        return served;
    }

    /** Serves {@code request} as the priming tenant through the priming pipeline (for the handler's own priming). */
    public GatewayResponse primeRequest(GatewayRequest request) {
        return primingService(null).handleAs(new Tenant("__prime"), request, ticker.read());
    }

    /**
     * Serves {@code request} as the priming tenant through the priming pipeline into {@code sink} (for an edge's own
     * priming of its streaming path).
     */
    public void primeServe(GatewayRequest request, ResponseSink sink) {
        primingService(null).serveAs(new Tenant("__prime"), request, sink, ticker.read());
    }

    /** A completion pipeline of its own: the mock provider under {@link PrimingSamples#MODEL}, no keys, no metrics. */
    private CompletionService primingService(ResponseCache primingCache) {
        GatewayConfig primeConfig = primingConfig();
        return new CompletionService(primeConfig, new Authenticator(List.of()),
                new ModelRouter(primeConfig, CatalogSnapshots.ofConfig(primeConfig)), primingRegistry(),
                GatewayMetrics.noop(), ticker, primingCache, settings.cache(), settings.stream());
    }

    /** The priming environment's configuration: one mock provider under {@link PrimingSamples#MODEL}, no keys. */
    private GatewayConfig primingConfig() {
        ProviderConfig mock = ProviderConfig.mock(PrimingSamples.MODEL.substring(2), Duration.ZERO);
        return new GatewayConfig(Map.of(mock.name(), mock),
                Map.of(PrimingSamples.MODEL, new ModelRoute(mock.name(), "mock-1")), List.of(),
                settings.config().limits());
    }

    private ProviderRegistry primingRegistry() {
        return new ProviderRegistry(new ProviderFactory(httpClient, secrets, clock, d -> { },
                clients.bedrockRuntime())::create);
    }

    /** This environment's checkpoint hooks, in the order CRaC runs them. */
    public CheckpointHooks hooks() {
        return hooks;
    }

    /** A gateway for the given environment variables, with system time. */
    public static Gateway fromEnvironment(Map<String, String> env) {
        return builder(Settings.from(env)).build();
    }

    /** A builder for {@code settings}. */
    public static Builder builder(Settings settings) {
        return new Builder(settings);
    }



    /** Serves one request and answers it whole (edges that cannot stream); never throws. */
    public GatewayResponse handle(GatewayRequest request) {
        BufferedResponse out = new BufferedResponse();
        serve(request, out);
        return out.response();
    }

    /**
     * Serves one request into {@code sink}, streaming where the sink can; never throws (a caller that went away
     * ends the request quietly).
     */
    public void serve(GatewayRequest request, ResponseSink sink) {
        long start = ticker.read();
        if (cold.compareAndSet(true, false)) {
            metrics.coldStart();
        }
        String path = request.path();
        try {
            if (path.equals(CHAT_COMPLETIONS) || path.equals("/chat/completions")) {
                if (!request.method().equals("POST")) {
                    GatewayResponse r = ErrorResponses.methodNotAllowed("POST", CHAT_COMPLETIONS);
                    sink.send(r.status(), r.headers(), r.body());
                    return;
                }
                completions.serve(request, sink, start);
                return;
            }
            if (path.equals(EMBEDDINGS) || path.equals("/embeddings")) {
                if (!request.method().equals("POST")) {
                    GatewayResponse r = ErrorResponses.methodNotAllowed("POST", EMBEDDINGS);
                    sink.send(r.status(), r.headers(), r.body());
                    return;
                }
                embeddings.serve(request, sink, start);
                return;
            }
            if (HealthService.handles(path)) {
                GatewayResponse r = health.handle(request);
                sink.send(r.status(), r.headers(), r.body());
                return;
            }
            GatewayResponse notFound = ErrorResponses.notFound();
            sink.send(notFound.status(), notFound.headers(), notFound.body());
        } catch (CallerGoneException e) {
            // nobody to answer
        } finally {
            if (governance != null) {
                governance.flush(); // the answer is written: buffered spend goes to DynamoDB when due
            }
        }
    }

    /** This environment's {@code GET /health}: register a {@link io.switchboard.core.health.HealthContributor} here. */
    public HealthService health() {
        return health;
    }

    /** This environment's governance (stored keys, limits, spend), or null when no keys table is configured. */
    public io.switchboard.core.governance.Governance governance() {
        return governance;
    }

    /** The settings this environment runs with. */
    public Settings settings() {
        return settings;
    }

    /** This environment's providers. */
    public ProviderRegistry registry() {
        return registry;
    }

    /** This environment's model catalog (the snapshots model names resolve through). */
    public ModelCatalog catalog() {
        return catalog;
    }

    /** This environment's HTTP client holder. */
    public Lazy<Http1Client> httpClient() {
        return httpClient;
    }

    /** This environment's response cache, or null when caching is off. */
    public ResponseCache cache() {
        return cache;
    }

    @Override
    public void close() {
        if (governance != null) {
            governance.flushAll();
        }
        metrics.flush();
        if (cache != null) {
            cache.close();
        }
        registry.close();
        clients.close();
    }

    /** Builds a {@link Gateway}; every collaborator has a production default. */
    public static final class Builder {
        private final Settings settings;
        private Ticker ticker = Ticker.system();
        private InstantSource clock = InstantSource.system();
        private Sleeper sleeper = Sleeper.system();
        private Waits waits = Waits.system();
        private java.util.random.RandomGenerator random;
        private GatewayMetrics metrics;
        private SecretStore secretStore;
        private Map<String, String> processEnv = System.getenv();
        private L2Store l2;

        private Builder(Settings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
        }

        /** Monotonic time. */
        public Builder ticker(Ticker t) {
            this.ticker = Objects.requireNonNull(t);
            return this;
        }

        /** Wall time. */
        public Builder clock(InstantSource c) {
            this.clock = Objects.requireNonNull(c);
            return this;
        }

        /** The mock provider's way to wait. */
        public Builder sleeper(Sleeper s) {
            this.sleeper = Objects.requireNonNull(s);
            return this;
        }

        /** How retries wait (backoff, {@code Retry-After}). */
        public Builder waits(Waits w) {
            this.waits = Objects.requireNonNull(w);
            return this;
        }

        /** The randomness of backoff jitter and weighted routing (default: {@code ThreadLocalRandom}). */
        public Builder random(java.util.random.RandomGenerator r) {
            this.random = Objects.requireNonNull(r);
            return this;
        }

        /** Metrics instead of those the settings select. */
        public Builder metrics(GatewayMetrics m) {
            this.metrics = Objects.requireNonNull(m);
            return this;
        }

        /** Where {@code ssm:} secrets are read from instead of SSM. */
        public Builder secretStore(SecretStore s) {
            this.secretStore = Objects.requireNonNull(s);
            return this;
        }

        /** The real process environment (it decides how EMF detects its environment). */
        public Builder processEnv(Map<String, String> env) {
            this.processEnv = Map.copyOf(env);
            return this;
        }

        /** An L2 instead of the one the settings configure (tests). */
        public Builder l2(L2Store store) {
            this.l2 = Objects.requireNonNull(store);
            return this;
        }

        /** The gateway. */
        public Gateway build() {
            return new Gateway(this);
        }
    }
}
