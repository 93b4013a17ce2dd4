package io.switchboard.core.catalog;

import io.switchboard.core.Lazy;
import java.util.List;
import io.switchboard.core.snapstart.CheckpointHooks;
import io.switchboard.core.Ticker;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.catalog.internal.AnthropicModelLister;
import io.switchboard.core.aws.EnvironmentClients;
import io.switchboard.core.catalog.internal.BedrockModelLister;
import io.switchboard.core.catalog.internal.DynamoDbCatalogStore;
import io.switchboard.core.catalog.internal.EventBridgePublisher;
import io.switchboard.core.catalog.internal.MockModelLister;
import io.switchboard.core.catalog.internal.OpenAiModelLister;
import io.switchboard.core.catalog.internal.SdkBedrockModels;
import io.switchboard.core.config.CatalogSettings;
import io.switchboard.core.config.Settings;
import io.switchboard.core.provider.mock.Sleeper;
import io.switchboard.core.secrets.SecretResolver;
import io.switchboard.core.secrets.SecretStore;
import io.switchboard.core.secrets.SsmSecretStore;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.config.ProviderType;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;

/**
 * The catalog of one execution environment, assembled from its {@link Settings}: the request path's
 * {@link CatalogSnapshots}, the {@link ModelsApi}, and discovery ({@link #discover()}). Every AWS client is built on
 * first use; without {@code SWITCHBOARD_CATALOG_TABLE} the bundled configuration is the catalog and nothing is built.
 */
public final class ModelCatalog implements AutoCloseable {
    /** Bound of one DynamoDB call on the request path: a slow table must not become a slow request. */
    static final Duration READ_CALL_TIMEOUT = EnvironmentClients.READ_CALL_TIMEOUT;
    /** Bound of one AWS call during discovery. */
    static final Duration WRITE_CALL_TIMEOUT = EnvironmentClients.WRITE_CALL_TIMEOUT;

    private final Settings settings;
    private final CatalogSettings cs;
    private final Ticker ticker;
    private final InstantSource clock;
    private final EnvironmentClients clients;
    private final Lazy<DynamoDbClient> reader;
    private final Lazy<DynamoDbClient> writer;
    private final Lazy<EventBridgeClient> events;
    private final Lazy<HttpClient> http;
    private final SsmSecretStore ssm;
    private final CatalogStore readStore;
    private final CatalogStore writeStore;
    private final CatalogEventPublisher publisher;
    private final BedrockModels bedrockModels;
    private final SecretResolver secrets;
    private final Sleeper sleeper;
    private final CatalogSnapshots snapshots;
    private final ModelsApi api;

    private ModelCatalog(Builder b) {
        this.settings = b.settings;
        this.cs = settings.catalog();
        this.ticker = b.ticker;
        this.clock = b.clock;
        Lazy.Listener l = b.listener;
        EnvironmentClients c = b.clients != null ? b.clients : EnvironmentClients.of(settings, ticker, l);
        this.clients = c;
        this.reader = c.dynamoDbReader();
        this.writer = c.dynamoDbWriter();
        this.events = c.eventBridge();
        this.http = c.http();
        this.ssm = c.ssm();
        SecretStore store = b.secretStore != null ? b.secretStore : ssm;
        this.secrets = new SecretResolver(settings.env(), store, ticker, settings.secretTtl());
        this.readStore = b.store != null ? b.store
                : cs.hasTable() ? new DynamoDbCatalogStore(reader, cs.table()) : null;
        this.writeStore = b.store != null ? b.store
                : cs.hasTable() ? new DynamoDbCatalogStore(writer, cs.table()) : null;
        this.publisher = b.publisher != null ? b.publisher
                : cs.eventBus() != null ? new EventBridgePublisher(events, cs.eventBus()) : CatalogEventPublisher.none();
        this.bedrockModels = b.bedrockModels;
        this.sleeper = b.sleeper;
        this.snapshots = new CatalogSnapshots(readStore, settings.config(), ticker, cs.refreshInterval());
        this.api = new ModelsApi(new Authenticator(settings.config().apiKeys()), snapshots);
    }

    /** A builder for {@code settings}. */
    public static Builder builder(Settings settings) {
        return new Builder(settings);
    }

    /** The request path's snapshots. */
    public CatalogSnapshots snapshots() {
        return snapshots;
    }

    /** {@code GET /v1/models} and {@code GET /v1/models/{id}}. */
    public ModelsApi api() {
        return api;
    }

    /** Whether a table holds the catalog (else discovery has nowhere to write). */
    public boolean hasStore() {
        return writeStore != null;
    }

    /** The discovery of every provider type, bounded as configured. */
    public ModelDiscovery discovery() {
        Map<ProviderType, ModelLister> listers = new EnumMap<>(ProviderType.class);
        listers.put(ProviderType.OPENAI, new OpenAiModelLister(http, secrets));
        listers.put(ProviderType.ANTHROPIC, new AnthropicModelLister(http, secrets));
        listers.put(ProviderType.BEDROCK, new BedrockModelLister(this::bedrockModels));
        listers.put(ProviderType.MOCK, new MockModelLister(settings::config, sleeper));
        return new ModelDiscovery(listers, cs.discoveryParallelism(), cs.discoveryTimeout(), ticker);
    }

    /**
     * Bedrock's catalog as {@code p} sees it: the builder's when one was given, else its own region's (the catalog's
     * region when it names none) through that region's control-plane client, built on first use.
     */
    private BedrockModels bedrockModels(ProviderConfig p) {
        return bedrockModels != null ? bedrockModels : new SdkBedrockModels(clients.bedrock(p.region()));
    }

    /**
     * Runs discovery over the configured providers and syncs the catalog.
     *
     * @throws IllegalStateException when no table is configured
     */
    public DiscoveryReport discover() {
        if (writeStore == null) {
            throw new IllegalStateException("no catalog table configured (SWITCHBOARD_CATALOG_TABLE)");
        }
        return new CatalogSync(discovery(), writeStore, publisher, clock, ticker, cs.lastSeenResolution())
                .run(settings.config());
    }

    /**
     * Checkpoint hooks for a function built on this catalog alone (models, discovery): before a snapshot, serve the
     * list, an object and a miss from the bundled configuration through the real API code (offline; a priming key
     * of its own), then close every client; after a restore, check the catalog's generation on first use.
     *
     * @param global whether to register with the global CRaC context (false when a gateway registers the catalog)
     */
    public CheckpointHooks checkpointHooks(boolean global) {
        CheckpointHooks hooks = new CheckpointHooks(global);
        hooks.register(CheckpointHooks.closing("catalog-clients", this));
        hooks.register(new org.crac.Resource() {
            @Override
            public void beforeCheckpoint(org.crac.Context<? extends org.crac.Resource> context) {
                prime();
            }

            @Override
            public void afterRestore(org.crac.Context<? extends org.crac.Resource> context) {
                snapshots().expire();
            }

            @Override
            public String toString() {
                return "prime models API";
            }
        });
        return hooks;
    }

    /** Serves sample model requests from the bundled configuration, offline (see {@link #checkpointHooks}). */
    public int prime() {
        String key = "sk-prime-" + java.util.UUID.randomUUID();
        ModelsApi api = new ModelsApi(new io.switchboard.core.auth.Authenticator(List.of(
                new io.switchboard.shared.config.ApiKeyEntry("snapstart-prime",
                        io.switchboard.core.auth.Authenticator.sha256Hex(key)))),
                CatalogSnapshots.ofConfig(settings.config()));
        Map<String, String> headers = Map.of("authorization", "Bearer " + key);
        String first = settings.config().models().keySet().stream().findFirst().orElse("none");
        int served = 0;
        for (String path : List.of(ModelsApi.MODELS, ModelsApi.MODELS + "/" + first, ModelsApi.MODELS + "/__none")) {
            api.handle(new io.switchboard.core.http.GatewayRequest("GET", path, headers, null, "prime", Long.MAX_VALUE),
                    null);
            served++;
        }
        return served;
    }

    @Override
    public void close() {
        clients.close();
    }

    /** Builds a {@link ModelCatalog}; every collaborator has a production default. */
    public static final class Builder {
        private final Settings settings;
        private Ticker ticker = Ticker.system();
        private InstantSource clock = InstantSource.system();
        private Lazy.Listener listener;
        private CatalogStore store;
        private CatalogEventPublisher publisher;
        private BedrockModels bedrockModels;
        private EnvironmentClients clients;
        private SecretStore secretStore;
        private Sleeper sleeper = Sleeper.system();

        private Builder(Settings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
        }

        /** Monotonic time (refresh intervals, durations). */
        public Builder ticker(Ticker t) {
            this.ticker = Objects.requireNonNull(t);
            return this;
        }

        /** Wall time ({@code lastSeen}, event times). */
        public Builder clock(InstantSource c) {
            this.clock = Objects.requireNonNull(c);
            return this;
        }

        /** Told of every lazily built client. */
        public Builder listener(Lazy.Listener l) {
            this.listener = l;
            return this;
        }

        /** The store instead of the configured DynamoDB table. */
        public Builder store(CatalogStore s) {
            this.store = Objects.requireNonNull(s);
            return this;
        }

        /** Where change events go instead of the configured bus. */
        public Builder publisher(CatalogEventPublisher p) {
            this.publisher = Objects.requireNonNull(p);
            return this;
        }

        /** Bedrock's catalog, for every region, instead of the SDK clients (one per region). */
        public Builder bedrockModels(BedrockModels m) {
            this.bedrockModels = Objects.requireNonNull(m);
            return this;
        }

        /** The environment's clients (its composition root's), instead of a set of the catalog's own. */
        public Builder clients(EnvironmentClients c) {
            this.clients = Objects.requireNonNull(c);
            return this;
        }

        /** Where {@code ssm:} secrets are read from instead of SSM. */
        public Builder secretStore(SecretStore s) {
            this.secretStore = Objects.requireNonNull(s);
            return this;
        }

        /** The mock provider's way to wait. */
        public Builder sleeper(Sleeper s) {
            this.sleeper = Objects.requireNonNull(s);
            return this;
        }

        /** The catalog. */
        public ModelCatalog build() {
            return new ModelCatalog(this);
        }
    }
}
