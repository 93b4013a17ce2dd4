package io.switchboard.core.config;

/** Every environment variable the gateway reads, in one holder. */
public final class EnvNames {
    /** Whole configuration as JSON (see {@code GatewayConfigJson}); replaces the embedded defaults. */
    public static final String CONFIG = "SWITCHBOARD_CONFIG";
    /** Path of a file holding the configuration JSON. */
    public static final String CONFIG_FILE = "SWITCHBOARD_CONFIG_FILE";
    /** Gateway keys: comma-separated {@code tenant:sha256hex}. Added to the configuration's keys. */
    public static final String API_KEYS = "SWITCHBOARD_API_KEYS";
    /** Largest request body in bytes. */
    public static final String MAX_REQUEST_BYTES = "SWITCHBOARD_MAX_REQUEST_BYTES";
    /** Upper bound of one upstream call in milliseconds. */
    public static final String UPSTREAM_TIMEOUT_MS = "SWITCHBOARD_UPSTREAM_TIMEOUT_MS";
    /** Simulated latency of the embedded mock provider in milliseconds. */
    public static final String MOCK_LATENCY_MS = "SWITCHBOARD_MOCK_LATENCY_MS";
    /** {@code emf} (default: Powertools metrics as CloudWatch EMF on stdout) or {@code off}. */
    public static final String METRICS = "SWITCHBOARD_METRICS";
    /** Seconds a secret fetched from SSM is reused. */
    public static final String SECRET_TTL_SECONDS = "SWITCHBOARD_SECRET_TTL_SECONDS";
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

    private EnvNames() {
    }
}
