package io.switchboard.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.auth.Authenticator;
import io.switchboard.shared.config.ApiKeyEntry;
import io.switchboard.shared.config.GatewayConfig;
import io.switchboard.shared.config.Limits;
import io.switchboard.shared.config.ModelRoute;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.config.ProviderType;
import io.switchboard.shared.config.SecretRef;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsTest {
    private static final String HASH_A = Authenticator.sha256Hex("key-a");
    private static final String HASH_B = Authenticator.sha256Hex("key-b");

    private static final String INLINE = """
            {"providers": {"inline": {"type": "mock", "latencyMs": 7}},
             "models": {"inline-model": "inline/m1"}}
            """;
    private static final String FROM_FILE = """
            {"providers": {"filed": {"type": "mock"}},
             "models": {"file-model": "filed/m2"},
             "apiKeys": ["file-tenant:%s"]}
            """.formatted(HASH_A);

    private static Map<String, String> env(String... kv) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        return env;
    }

    private static Path write(Path dir, String json) throws Exception {
        Path f = dir.resolve("switchboard.json");
        Files.writeString(f, json);
        return f;
    }

    @Test
    void from_emptyEnvironmentGivesEmbeddedDefaults() {
        Settings s = Settings.from(Map.of());
        GatewayConfig c = s.config();

        assertEquals(Set.of("mock"), c.providers().keySet(), "without an OpenAI key only mock is served");
        ProviderConfig mock = c.providers().get("mock");
        assertEquals(ProviderType.MOCK, mock.type());
        assertEquals(Duration.ZERO, mock.latency());
        assertEquals(new ModelRoute("mock", "mock-1"), c.models().get("fast"));
        assertEquals(new ModelRoute("mock", "mock-1"), c.models().get("mock-1"));
        assertFalse(c.models().containsKey("gpt-4o-mini"));
        assertTrue(c.apiKeys().isEmpty(), "no open endpoint by default");
        assertEquals(Limits.DEFAULTS, c.limits());

        assertEquals(MetricsMode.EMF, s.metrics());
        assertEquals("Switchboard", s.metricsNamespace());
        assertEquals("switchboard", s.service());
        assertEquals("local", s.functionName());
        assertEquals("us-east-1", s.region());
        assertNull(s.ssmEndpoint());
        assertEquals(Duration.ofSeconds(300), s.secretTtl());
    }

    @Test
    void from_readsNamingAndEndpointVariables() {
        Settings s = Settings.from(env(EnvNames.METRICS_NAMESPACE, "Ns", EnvNames.SERVICE_NAME, "svc",
                EnvNames.FUNCTION_NAME, "fn", EnvNames.REGION, "eu-west-1",
                EnvNames.SSM_ENDPOINT, "http://127.0.0.1:4566", EnvNames.SECRET_TTL_SECONDS, "12",
                EnvNames.MOCK_LATENCY_MS, "40"));
        assertEquals("Ns", s.metricsNamespace());
        assertEquals("svc", s.service());
        assertEquals("fn", s.functionName());
        assertEquals("eu-west-1", s.region());
        assertEquals(URI.create("http://127.0.0.1:4566"), s.ssmEndpoint());
        assertEquals(Duration.ofSeconds(12), s.secretTtl());
        assertEquals(Duration.ofMillis(40), s.config().providers().get("mock").latency());
    }

    @Test
    void from_inlineConfigBeatsFileAndDefaults(@TempDir Path dir) throws Exception {
        Path file = write(dir, FROM_FILE);
        Settings s = Settings.from(env(EnvNames.CONFIG, INLINE, EnvNames.CONFIG_FILE, file.toString(),
                EnvNames.OPENAI_API_KEY, "sk-test-openai"));
        GatewayConfig c = s.config();
        assertEquals(Set.of("inline"), c.providers().keySet());
        assertEquals(Set.of("inline-model"), c.models().keySet());
        assertEquals(Duration.ofMillis(7), c.providers().get("inline").latency());
        assertTrue(c.apiKeys().isEmpty(), "the file's keys must not leak into the inline configuration");
    }

    @Test
    void from_fileConfigBeatsDefaults(@TempDir Path dir) throws Exception {
        Path file = write(dir, FROM_FILE);
        Settings s = Settings.from(env(EnvNames.CONFIG_FILE, file.toString(), EnvNames.OPENAI_API_KEY, "sk-x"));
        GatewayConfig c = s.config();
        assertEquals(Set.of("filed"), c.providers().keySet());
        assertEquals(Map.of("file-model", new ModelRoute("filed", "m2")), c.models());
        assertEquals(List.of(new ApiKeyEntry("file-tenant", HASH_A)), c.apiKeys());
    }

    @Test
    void from_blankInlineConfigFallsBackToFile(@TempDir Path dir) throws Exception {
        Path file = write(dir, FROM_FILE);
        Settings s = Settings.from(env(EnvNames.CONFIG, "  ", EnvNames.CONFIG_FILE, file.toString()));
        assertEquals(Set.of("filed"), s.config().providers().keySet());
    }

    @Test
    void from_missingConfigFileFails(@TempDir Path dir) {
        String missing = dir.resolve("nope.json").toString();
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> Settings.from(env(EnvNames.CONFIG_FILE, missing)));
        assertTrue(e.getMessage().contains(EnvNames.CONFIG_FILE), e.getMessage());
    }

    @Test
    void from_openAiKeyEnablesOpenAiWithEnvSecretRef() {
        Settings s = Settings.from(env(EnvNames.OPENAI_API_KEY, "sk-test-openai"));
        GatewayConfig c = s.config();
        ProviderConfig openai = c.providers().get("openai");
        assertEquals(ProviderType.OPENAI, openai.type());
        assertEquals(new SecretRef(SecretRef.Source.ENV, "OPENAI_API_KEY"), openai.apiKey());
        assertEquals(URI.create(Settings.OPENAI_DEFAULT_BASE_URL), openai.baseUrl());
        assertEquals(Limits.DEFAULTS.upstreamTimeout(), openai.timeout());
        for (String m : Settings.OPENAI_DEFAULT_MODELS) {
            assertEquals(new ModelRoute("openai", m), c.models().get(m), m);
        }
        assertEquals(new ModelRoute("openai", "gpt-4o-mini"), c.models().get("gpt-4o-mini"));
        assertEquals(new ModelRoute("openai", "text-embedding-3-small"), c.models().get("text-embedding-3-small"));
        assertEquals(new ModelRoute("openai", "text-embedding-3-large"), c.models().get("text-embedding-3-large"));
        assertTrue(c.providers().containsKey("mock"), "mock stays available");
        assertEquals(new ModelRoute("mock", "mock-1"), c.models().get("fast"));
        assertFalse(openai.toString().contains("sk-test-openai"), "the configuration holds a reference, not a key");
    }

    @Test
    void from_blankOpenAiKeyDoesNotEnableOpenAi() {
        Settings s = Settings.from(env(EnvNames.OPENAI_API_KEY, "", EnvNames.OPENAI_KEY_PARAMETER, " "));
        assertFalse(s.config().providers().containsKey("openai"));
    }

    @Test
    void from_openAiBaseUrlIsHonouredWithoutTrailingSlash() {
        Settings s = Settings.from(env(EnvNames.OPENAI_API_KEY, "sk-x",
                EnvNames.OPENAI_BASE_URL, "http://127.0.0.1:9999/v1/", EnvNames.UPSTREAM_TIMEOUT_MS, "1234"));
        ProviderConfig openai = s.config().providers().get("openai");
        assertEquals(URI.create("http://127.0.0.1:9999/v1"), openai.baseUrl());
        assertEquals(Duration.ofMillis(1234), openai.timeout());
    }

    @Test
    void from_ssmParameterEnablesOpenAiWithSsmRef() {
        Settings s = Settings.from(env(EnvNames.OPENAI_KEY_PARAMETER, "/switchboard/openai-api-key"));
        ProviderConfig openai = s.config().providers().get("openai");
        assertEquals(new SecretRef(SecretRef.Source.SSM, "/switchboard/openai-api-key"), openai.apiKey());
        assertEquals(new ModelRoute("openai", "gpt-4o-mini"), s.config().models().get("gpt-4o-mini"));
    }

    @Test
    void from_ssmParameterWinsOverOpenAiKey() {
        Settings s = Settings.from(env(EnvNames.OPENAI_KEY_PARAMETER, "/switchboard/openai-api-key",
                EnvNames.OPENAI_API_KEY, "sk-local"));
        assertEquals(new SecretRef(SecretRef.Source.SSM, "/switchboard/openai-api-key"),
                s.config().providers().get("openai").apiKey());
    }

    @Test
    void from_apiKeysAreAdded() {
        Settings s = Settings.from(env(EnvNames.API_KEYS, "a:" + HASH_A + ", b:" + HASH_B + ",,"));
        assertEquals(List.of(new ApiKeyEntry("a", HASH_A), new ApiKeyEntry("b", HASH_B)), s.config().apiKeys());
    }

    @Test
    void from_apiKeysAreAddedToConfiguredKeys(@TempDir Path dir) throws Exception {
        Path file = write(dir, FROM_FILE);
        Settings s = Settings.from(env(EnvNames.CONFIG_FILE, file.toString(), EnvNames.API_KEYS, "b:" + HASH_B));
        assertEquals(List.of(new ApiKeyEntry("file-tenant", HASH_A), new ApiKeyEntry("b", HASH_B)),
                s.config().apiKeys());
    }

    @Test
    void from_bareHashKeyBelongsToDefaultTenant() {
        Settings s = Settings.from(env(EnvNames.API_KEYS, HASH_A));
        assertEquals(List.of(new ApiKeyEntry("default", HASH_A)), s.config().apiKeys());
    }

    @Test
    void from_malformedApiKeyIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Settings.from(env(EnvNames.API_KEYS, "a:not-a-hash")));
    }

    @Test
    void from_limitVariablesOverrideDefaults() {
        Settings s = Settings.from(env(EnvNames.MAX_REQUEST_BYTES, "1000", EnvNames.UPSTREAM_TIMEOUT_MS, "2500"));
        Limits l = s.config().limits();
        assertEquals(1000, l.maxRequestBytes());
        assertEquals(Duration.ofMillis(2500), l.upstreamTimeout());
        assertEquals(Limits.DEFAULTS.maxResponseBytes(), l.maxResponseBytes());
    }

    @Test
    void from_limitVariablesOverrideConfigJsonLimits() {
        String json = """
                {"providers": {"mock": {"type": "mock"}},
                 "limits": {"maxRequestBytes": 111, "maxResponseBytes": 222, "upstreamTimeoutMs": 333}}
                """;
        Settings s = Settings.from(env(EnvNames.CONFIG, json, EnvNames.MAX_REQUEST_BYTES, "5000",
                EnvNames.UPSTREAM_TIMEOUT_MS, "6000"));
        Limits l = s.config().limits();
        assertEquals(5000, l.maxRequestBytes());
        assertEquals(Duration.ofMillis(6000), l.upstreamTimeout());
        assertEquals(222, l.maxResponseBytes(), "limits without a variable keep the configured value");
    }

    @Test
    void from_oneLimitVariableLeavesTheOtherConfiguredLimit() {
        String json = """
                {"providers": {"mock": {"type": "mock"}},
                 "limits": {"maxRequestBytes": 111, "upstreamTimeoutMs": 333}}
                """;
        Settings s = Settings.from(env(EnvNames.CONFIG, json, EnvNames.UPSTREAM_TIMEOUT_MS, "6000"));
        assertEquals(111, s.config().limits().maxRequestBytes());
        assertEquals(Duration.ofMillis(6000), s.config().limits().upstreamTimeout());

        Settings only = Settings.from(env(EnvNames.CONFIG, json));
        assertEquals(111, only.config().limits().maxRequestBytes());
        assertEquals(Duration.ofMillis(333), only.config().limits().upstreamTimeout());
    }

    @Test
    void from_blankLimitVariablesDoNotOverrideConfigJsonLimits() {
        // a blank variable means "not set" everywhere else (a template parameter left empty), so it must not
        // replace configured limits with the defaults
        String json = """
                {"providers": {"mock": {"type": "mock"}},
                 "limits": {"maxRequestBytes": 111, "upstreamTimeoutMs": 333}}
                """;
        Settings s = Settings.from(env(EnvNames.CONFIG, json, EnvNames.MAX_REQUEST_BYTES, "",
                EnvNames.UPSTREAM_TIMEOUT_MS, " "));
        assertEquals(111, s.config().limits().maxRequestBytes());
        assertEquals(Duration.ofMillis(333), s.config().limits().upstreamTimeout());
    }

    @ParameterizedTest
    @ValueSource(strings = {EnvNames.MAX_REQUEST_BYTES, EnvNames.UPSTREAM_TIMEOUT_MS, EnvNames.SECRET_TTL_SECONDS,
            EnvNames.MOCK_LATENCY_MS})
    void from_invalidNumberIsRejectedNamingTheVariable(String name) {
        for (String bad : List.of("abc", "12.5", "-1", "1e3")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Settings.from(env(name, bad)), name + "=" + bad);
            assertTrue(e.getMessage().contains(name), e.getMessage());
        }
    }

    @Test
    void from_zeroLimitIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Settings.from(env(EnvNames.MAX_REQUEST_BYTES, "0")));
        assertThrows(IllegalArgumentException.class, () -> Settings.from(env(EnvNames.UPSTREAM_TIMEOUT_MS, "0")));
    }

    @Test
    void from_unknownConfigFieldIsRejectedNamingTheField() {
        IllegalArgumentException top = assertThrows(IllegalArgumentException.class,
                () -> Settings.from(env(EnvNames.CONFIG, "{\"providerz\": {}}")));
        assertTrue(top.getMessage().contains("providerz"), top.getMessage());

        IllegalArgumentException nested = assertThrows(IllegalArgumentException.class,
                () -> Settings.from(env(EnvNames.CONFIG,
                        "{\"providers\": {\"mock\": {\"type\": \"mock\", \"latencyMillis\": 5}}}")));
        assertTrue(nested.getMessage().contains("latencyMillis"), nested.getMessage());
    }

    @Test
    void from_invalidConfigJsonIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Settings.from(env(EnvNames.CONFIG, "{not json")));
        assertThrows(IllegalArgumentException.class, () -> Settings.from(env(EnvNames.CONFIG, "[]")));
    }

    @Test
    void from_metricsOffIsCaseInsensitive() {
        assertEquals(MetricsMode.OFF, Settings.from(env(EnvNames.METRICS, "off")).metrics());
        assertEquals(MetricsMode.OFF, Settings.from(env(EnvNames.METRICS, "OFF")).metrics());
        assertEquals(MetricsMode.EMF, Settings.from(env(EnvNames.METRICS, "emf")).metrics());
    }

    @Test
    void from_keepsAnImmutableCopyOfTheEnvironment() {
        Map<String, String> env = env(EnvNames.OPENAI_API_KEY, "sk-x");
        Settings s = Settings.from(env);
        env.put(EnvNames.OPENAI_API_KEY, "changed");
        assertEquals("sk-x", s.env().get(EnvNames.OPENAI_API_KEY));
        assertThrows(UnsupportedOperationException.class, () -> s.env().put("X", "y"));
    }

    @Test
    void insideLambda_detectsRuntimeVariables() {
        assertFalse(Settings.insideLambda(Map.of()));
        assertFalse(Settings.insideLambda(Map.of("AWS_EXECUTION_ENV", "AWS_ECS_FARGATE")));
        assertTrue(Settings.insideLambda(Map.of("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")));
        assertTrue(Settings.insideLambda(Map.of("AWS_EXECUTION_ENV", "AWS_Lambda_java21")));
    }

    @Test
    void from_bedrockProviderRegionAndRuntimeEndpoint() {
        Settings s = Settings.from(env("SWITCHBOARD_CONFIG", """
                {"providers": {"br": {"type": "bedrock", "region": "eu-central-1"}, "here": {"type": "bedrock"},
                               "gov": {"type": "bedrock", "region": "us-gov-west-1", "baseUrl": "http://127.0.0.1:9/"}},
                 "models": {"claude": "br/anthropic.claude-3-5-haiku-20241022-v1:0"}}
                """, "AWS_ENDPOINT_URL_BEDROCK_RUNTIME", " http://127.0.0.1:4566 ", "AWS_REGION", "ap-south-1"));
        ProviderConfig br = s.config().providers().get("br");
        assertEquals(ProviderType.BEDROCK, br.type());
        assertEquals("eu-central-1", br.region());
        assertNull(br.baseUrl());
        assertNull(s.config().providers().get("here").region(), "null: the function's region");
        assertEquals(URI.create("http://127.0.0.1:9"), s.config().providers().get("gov").baseUrl());
        assertEquals(URI.create("http://127.0.0.1:4566"), s.bedrockRuntimeEndpoint());
        assertEquals("ap-south-1", s.region());
        assertNull(Settings.from(env()).bedrockRuntimeEndpoint());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"providers\": {\"o\": {\"type\": \"openai\", \"baseUrl\": \"https://x/v1\", \"region\": \"us-east-1\"}}}",
            "{\"providers\": {\"b\": {\"type\": \"bedrock\", \"region\": \"US-EAST-1\"}}}",
            "{\"providers\": {\"b\": {\"type\": \"bedrock\", \"region\": \"us-east\"}}}",
            "{\"providers\": {\"b\": {\"type\": \"bedrock\", \"regoin\": \"us-east-1\"}}}"})
    void from_badBedrockRegionIsRefused(String config) {
        assertThrows(IllegalArgumentException.class, () -> Settings.from(env("SWITCHBOARD_CONFIG", config)));
    }
}
