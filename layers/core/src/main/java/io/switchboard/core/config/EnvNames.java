package io.switchboard.core.config;

/** Every environment variable the gateway reads, in one holder. */
public final class EnvNames {
    /** Whole configuration as JSON (see {@code GatewayConfigJson}); replaces the embedded defaults. */
    public static final String CONFIG = "SWITCHBOARD_CONFIG";
    /** SSM parameter holding the configuration JSON (String or SecureString); after {@link #CONFIG}, before the file. */
    public static final String CONFIG_PARAMETER = "SWITCHBOARD_CONFIG_PARAMETER";
    /** Path of a file holding the configuration JSON. */
    public static final String CONFIG_FILE = "SWITCHBOARD_CONFIG_FILE";
    /** Gateway keys: comma-separated {@code tenant:sha256hex}. Added to the configuration's keys. */
    public static final String API_KEYS = "SWITCHBOARD_API_KEYS";
    /** Largest request body in bytes. */
    public static final String MAX_REQUEST_BYTES = "SWITCHBOARD_MAX_REQUEST_BYTES";
    /** Upper bound of one upstream call in milliseconds. */
    public static final String UPSTREAM_TIMEOUT_MS = "SWITCHBOARD_UPSTREAM_TIMEOUT_MS";
    /** Longest silence between two upstream events of a stream, in milliseconds. */
    public static final String STREAM_IDLE_TIMEOUT_MS = "SWITCHBOARD_STREAM_IDLE_TIMEOUT_MS";
    /** Longest time a streaming caller sees nothing before a keep-alive comment, in milliseconds (0: none). */
    public static final String STREAM_KEEPALIVE_MS = "SWITCHBOARD_STREAM_KEEPALIVE_MS";
    /** Simulated latency of the embedded mock provider in milliseconds. */
    public static final String MOCK_LATENCY_MS = "SWITCHBOARD_MOCK_LATENCY_MS";
    /** {@code emf} (default: Powertools metrics as CloudWatch EMF on stdout) or {@code off}. */
    public static final String METRICS = "SWITCHBOARD_METRICS";
    /** Seconds a secret fetched from SSM is reused. */
    public static final String SECRET_TTL_SECONDS = "SWITCHBOARD_SECRET_TTL_SECONDS";
    /** How long per-request metrics of other dimensions may wait before they are written, ms (0: each request). */
    public static final String METRICS_FLUSH_MS = "SWITCHBOARD_METRICS_FLUSH_MS";
    /** SSM parameter holding the OpenAI key (enables the {@code openai} provider on AWS). */
    public static final String OPENAI_KEY_PARAMETER = "SWITCHBOARD_OPENAI_API_KEY_PARAMETER";
    /** The OpenAI key itself (enables the {@code openai} provider locally). */
    public static final String OPENAI_API_KEY = "OPENAI_API_KEY";
    /** Base URL of the {@code openai} provider (default {@code https://api.openai.com/v1}). */
    public static final String OPENAI_BASE_URL = "OPENAI_BASE_URL";
    /** Powertools' metrics namespace. */
    public static final String METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE";
    /** Powertools' service name. */
    public static final String SERVICE_NAME = "POWERTOOLS_SERVICE_NAME";
    /** Set by Lambda. */
    public static final String FUNCTION_NAME = "AWS_LAMBDA_FUNCTION_NAME";
    /** Set by Lambda. */
    public static final String REGION = "AWS_REGION";
    /** The SDK's endpoint override for SSM (loopback in tests). */
    public static final String SSM_ENDPOINT = "AWS_ENDPOINT_URL_SSM";
    /** Forces the EMF environment; {@code Local} prevents any environment probing. */
    public static final String EMF_ENVIRONMENT = "AWS_EMF_ENVIRONMENT";

    /** {@code on} (default) or {@code off}: the response cache. */
    public static final String CACHE = "SWITCHBOARD_CACHE";
    /** {@code deterministic} (default: temperature 0 or a seed, n = 1) or {@code all}. */
    public static final String CACHE_POLICY = "SWITCHBOARD_CACHE_POLICY";
    /** L2 endpoint: {@code redis://host:port} or {@code rediss://host:port}; unset means L1 only. */
    public static final String CACHE_URL = "SWITCHBOARD_CACHE_URL";
    /** ElastiCache user id for IAM authentication (tokens are minted per connect). */
    public static final String CACHE_IAM_USER = "SWITCHBOARD_CACHE_IAM_USER";
    /** ElastiCache cache name the IAM token is minted for. */
    public static final String CACHE_NAME = "SWITCHBOARD_CACHE_NAME";
    /** L1 size bound in bytes. */
    public static final String CACHE_L1_MAX_BYTES = "SWITCHBOARD_CACHE_L1_MAX_BYTES";
    /** L1 entry lifetime in seconds. */
    public static final String CACHE_L1_TTL_SECONDS = "SWITCHBOARD_CACHE_L1_TTL_SECONDS";
    /** Default L2 entry lifetime in seconds. */
    public static final String CACHE_TTL_SECONDS = "SWITCHBOARD_CACHE_TTL_SECONDS";
    /** Longest lifetime a request may ask for, in seconds. */
    public static final String CACHE_MAX_TTL_SECONDS = "SWITCHBOARD_CACHE_MAX_TTL_SECONDS";
    /** Timeout of one L2 command in milliseconds. */
    public static final String CACHE_L2_TIMEOUT_MS = "SWITCHBOARD_CACHE_L2_TIMEOUT_MS";
    /** How long other environments wait for an identical in-flight request's value, in milliseconds. */
    public static final String CACHE_LOCK_WAIT_MS = "SWITCHBOARD_CACHE_LOCK_WAIT_MS";
    /** Values at least this many bytes are compressed in L2. */
    public static final String CACHE_COMPRESS_MIN_BYTES = "SWITCHBOARD_CACHE_COMPRESS_MIN_BYTES";
    /** Staleness bound of L1 after an invalidation, in milliseconds (default 1000). */
    public static final String CACHE_STALENESS_MS = "SWITCHBOARD_CACHE_STALENESS_MS";
    /** Admin keys for {@code POST /v1/cache/invalidate}: comma-separated {@code tenant:sha256hex}. */
    public static final String ADMIN_KEYS = "SWITCHBOARD_ADMIN_KEYS";
    /** Members removed per SSCAN/UNLINK batch when invalidating (default 1000). */
    public static final String INVALIDATION_BATCH = "SWITCHBOARD_INVALIDATION_BATCH";
    /** DynamoDB table of the model catalog; unset means the bundled configuration is the catalog. */
    public static final String CATALOG_TABLE = "SWITCHBOARD_CATALOG_TABLE";
    /** Seconds between checks of the catalog's generation on the request path (default 5). */
    public static final String CATALOG_REFRESH_SECONDS = "SWITCHBOARD_CATALOG_REFRESH_SECONDS";
    /** EventBridge bus receiving {@code ModelCatalogChanged}; unset publishes nothing. */
    public static final String EVENT_BUS = "SWITCHBOARD_EVENT_BUS";
    /** Upper bound of listing one provider's models in milliseconds (default 10000). */
    public static final String DISCOVERY_TIMEOUT_MS = "SWITCHBOARD_DISCOVERY_TIMEOUT_MS";
    /** Providers listed at once (default 4). */
    public static final String DISCOVERY_PARALLELISM = "SWITCHBOARD_DISCOVERY_PARALLELISM";
    /** How stale an entry's {@code lastSeen} may get before a no-change run rewrites it (default 86400). */
    public static final String LAST_SEEN_RESOLUTION_SECONDS = "SWITCHBOARD_LAST_SEEN_RESOLUTION_SECONDS";
    /** The SDK's endpoint override for DynamoDB (loopback in tests). */
    public static final String DYNAMODB_ENDPOINT = "AWS_ENDPOINT_URL_DYNAMODB";
    /** The SDK's endpoint override for EventBridge (loopback in tests). */
    public static final String EVENTBRIDGE_ENDPOINT = "AWS_ENDPOINT_URL_EVENTBRIDGE";
    /** The SDK's endpoint override for Bedrock's control plane (loopback in tests). */
    public static final String BEDROCK_ENDPOINT = "AWS_ENDPOINT_URL_BEDROCK";
    /**
     * The SDK's endpoint override for Bedrock Runtime (Converse, ConverseStream) of every {@code bedrock} provider
     * without a {@code baseUrl} of its own (loopback in tests).
     */
    public static final String BEDROCK_RUNTIME_ENDPOINT = "AWS_ENDPOINT_URL_BEDROCK_RUNTIME";

    private EnvNames() {
    }
}
