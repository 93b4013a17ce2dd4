package io.switchboard.core.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.Ticker;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.config.SecretRef;
import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** {@link SsmSecretStore} against a real (moto) Parameter Store on loopback. */
class SsmSecretStoreTest {
    private static final String REGION = "us-east-1";
    private static final String PARAM = "/switchboard/test/openai-api-key";
    private static final String VALUE = "sk-moto-secure-value-0123456789";

    private static final String CONFIG_PARAM = "/switchboard/test/config";
    private static final String CONFIG_JSON = "{\"providers\":{\"groq\":{\"type\":\"openai\","
            + "\"baseUrl\":\"http://127.0.0.1:9/v1\",\"apiKey\":\"ssm:/switchboard/test/openai-api-key\"}},"
            + "\"models\":{\"llama\":\"groq/llama-3.3-70b-versatile\"}}";
    private static Process moto;
    private static Path motoLog;
    private static URI endpoint;

    @BeforeAll
    static void startMoto() throws Exception {
        Path exe = onPath("moto_server");
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(exe != null, "moto_server is missing although .ci/run installs it");
        }
        Assumptions.assumeTrue(exe != null, "moto_server is not on PATH (.ci/run installs it)");
        int port = freePort();
        endpoint = URI.create("http://127.0.0.1:" + port);
        motoLog = Files.createTempFile("moto-server", ".log");
        ProcessBuilder pb = new ProcessBuilder(exe.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true)
                .redirectOutput(motoLog.toFile());
        // The test JVM's environment names a profile that does not exist (so the SDK never reads one); moto's own
        // botocore would fail on it, so the server gets a plain environment.
        pb.environment().remove("AWS_PROFILE");
        pb.environment().remove("AWS_CONFIG_FILE");
        pb.environment().remove("AWS_SHARED_CREDENTIALS_FILE");
        moto = pb.start();
        awaitHttp(endpoint, Duration.ofSeconds(30));
        try (SsmClient admin = SsmClient.builder()
                .region(Region.of(REGION))
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .endpointOverride(endpoint)
                .build()) {
            admin.putParameter(r -> r.name(PARAM).value(VALUE).type(ParameterType.SECURE_STRING).overwrite(true));
            admin.putParameter(r -> r.name(CONFIG_PARAM).value(CONFIG_JSON).type(ParameterType.SECURE_STRING)
                    .overwrite(true));
            // moto really stores SecureStrings encrypted: without decryption the value differs
            String raw = admin.getParameter(r -> r.name(PARAM).withDecryption(false)).parameter().value();
            assertFalse(VALUE.equals(raw), "moto returned the SecureString in clear without decryption");
        } catch (RuntimeException e) {
            throw new IllegalStateException("seeding moto failed; its log:\n" + Files.readString(motoLog), e);
        }
    }

    @AfterAll
    static void stopMoto() throws Exception {
        if (moto == null) {
            return;
        }
        List<ProcessHandle> children = new ArrayList<>(moto.descendants().toList());
        Collections.reverse(children);
        children.forEach(ProcessHandle::destroy);
        moto.destroy();
        if (!moto.waitFor(10, TimeUnit.SECONDS)) {
            moto.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (ProcessHandle c : children) {
            if (c.isAlive()) {
                c.destroyForcibly();
            }
        }
        if (motoLog != null) {
            Files.deleteIfExists(motoLog);
        }
    }

    private static Path onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static void awaitHttp(URI base, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            if (!moto.isAlive()) {
                throw new IllegalStateException("moto_server exited with " + moto.exitValue() + ":\n"
                        + Files.readString(motoLog));
            }
            try {
                HttpURLConnection c = (HttpURLConnection) base.resolve("/moto-api/").toURL()
                        .openConnection(Proxy.NO_PROXY);
                c.setConnectTimeout(500);
                c.setReadTimeout(2000);
                int status = c.getResponseCode();
                c.disconnect();
                if (status > 0) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("moto_server did not answer within " + limit + ":\n"
                        + Files.readString(motoLog));
            }
            Thread.sleep(100);
        }
    }

    @Test
    void settings_configParameter_readFromParameterStore_afterInlineBeforeFile() {
        java.util.Map<String, String> env = new java.util.HashMap<>(java.util.Map.of(
                "SWITCHBOARD_CONFIG_PARAMETER", CONFIG_PARAM, "AWS_ENDPOINT_URL_SSM", endpoint.toString(),
                "AWS_REGION", REGION, "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test",
                "SWITCHBOARD_CONFIG_FILE", "/nonexistent/config.json"));
        io.switchboard.core.config.Settings s = io.switchboard.core.config.Settings.from(env);
        assertEquals(java.util.Set.of("groq"), s.config().providers().keySet(), "the parameter wins over the file");
        assertEquals("llama-3.3-70b-versatile", s.config().models().get("llama").providerModel());
        env.put("SWITCHBOARD_CONFIG", "{\"providers\":{\"mock\":{\"type\":\"mock\"}},\"models\":{\"m\":\"mock/m\"}}");
        assertEquals(java.util.Set.of("mock"), io.switchboard.core.config.Settings.from(env).config().providers()
                .keySet(), "inline configuration wins over the parameter");
        env.remove("SWITCHBOARD_CONFIG");
        env.put("SWITCHBOARD_CONFIG_PARAMETER", "/switchboard/test/missing");
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> io.switchboard.core.config.Settings.from(env));
        assertTrue(e.getMessage().contains("/switchboard/test/missing"), e.getMessage());
    }

    @Test
    void read_returnsDecryptedSecureString() {
        List<String> built = new ArrayList<>();
        try (SsmSecretStore store = new SsmSecretStore(REGION, endpoint, (name, nanos) -> built.add(name))) {
            assertTrue(built.isEmpty(), "the SSM client is built on first use, not at construction");
            assertEquals(VALUE, store.read(PARAM));
            assertEquals(List.of("ssm-client"), built);
            assertEquals(VALUE, store.read(PARAM));
            assertEquals(1, built.size(), "the client is built once");
        }
    }

    @Test
    void read_withoutListener() {
        try (SsmSecretStore store = new SsmSecretStore(REGION, endpoint, null)) {
            assertEquals(VALUE, store.read(PARAM));
        }
    }

    @Test
    void read_missingParameterThrows() {
        try (SsmSecretStore store = new SsmSecretStore(REGION, endpoint, null)) {
            assertThrows(RuntimeException.class, () -> store.read("/switchboard/test/does-not-exist"));
        }
    }

    @Test
    void close_thenReadRebuildsTheClient() {
        List<String> built = new ArrayList<>();
        SsmSecretStore store = new SsmSecretStore(REGION, endpoint, (name, nanos) -> built.add(name));
        assertEquals(VALUE, store.read(PARAM));
        store.close();
        assertEquals(VALUE, store.read(PARAM));
        assertEquals(2, built.size());
        store.close();
    }

    @Test
    void resolver_readsSsmRefThroughRealStore() {
        try (SsmSecretStore store = new SsmSecretStore(REGION, endpoint, null)) {
            SecretResolver resolver = new SecretResolver(Map.of(), store, Ticker.system(), Duration.ofMinutes(5));
            assertEquals(VALUE, resolver.resolve(new SecretRef(SecretRef.Source.SSM, PARAM)));

            GatewayException e = assertThrows(GatewayException.class,
                    () -> resolver.resolve(new SecretRef(SecretRef.Source.SSM, "/switchboard/test/missing")));
            assertEquals(ErrorKind.INTERNAL, e.kind());
            assertTrue(e.getMessage().contains("ssm:/switchboard/test/missing"), e.getMessage());
        }
    }
}
