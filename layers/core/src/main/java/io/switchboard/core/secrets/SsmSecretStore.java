package io.switchboard.core.secrets;

import io.switchboard.core.Lazy;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.SsmClientBuilder;

/**
 * SSM Parameter Store SecureStrings, decrypted. The client is built on first use with the lightest HTTP client of the
 * SDK, the region from the configuration and credentials from the environment or the Lambda container endpoint only,
 * so it never probes instance metadata.
 */
public final class SsmSecretStore implements SecretStore, AutoCloseable {
    private final Lazy<SsmClient> client;

    /** A store for {@code region}, talking to {@code endpoint} when non-null (loopback in tests). */
    public SsmSecretStore(String region, URI endpoint, Lazy.Listener listener) {
        this(region, endpoint, io.switchboard.core.aws.AwsClients.credentials(), listener);
    }

    /** A store signing with {@code creds}. */
    public SsmSecretStore(String region, URI endpoint,
            software.amazon.awssdk.auth.credentials.AwsCredentialsProvider creds, Lazy.Listener listener) {
        this.client = Lazy.of("ssm-client", () -> io.switchboard.core.aws.AwsClients.ssm(region, endpoint, creds),
                io.switchboard.core.Ticker.system(), listener);
    }

    @Override
    public String read(String name) {
        return client.get().getParameter(r -> r.name(name).withDecryption(true)).parameter().value();
    }

    @Override
    public void close() {
        client.reset();
    }
}
