package io.switchboard.core.config;

import io.switchboard.core.aws.AwsClients;
import io.switchboard.core.secrets.SsmSecretStore;
import java.net.URI;
import java.util.Map;

/**
 * The provider and model configuration read from an SSM Parameter Store parameter ({@code SWITCHBOARD_CONFIG_PARAMETER}):
 * a String or SecureString holding the same JSON as {@code SWITCHBOARD_CONFIG}, up to 8 KB with the Advanced tier
 * (4 KB Standard) — instead of an environment variable, whose whole set Lambda caps at 4 KB. Read once, when the
 * environment's settings are read (at init, so a SnapStart snapshot holds it); the template grants
 * {@code ssm:GetParameter} under {@code SsmParameterPrefix}.
 */
final class ConfigParameter {
    private ConfigParameter() {
    }

    /** The parameter's value, decrypted. */
    static String read(Map<String, String> env, String name) {
        String endpoint = env.get(EnvNames.SSM_ENDPOINT);
        try (SsmSecretStore ssm = new SsmSecretStore(env.getOrDefault(EnvNames.REGION, "us-east-1"),
                endpoint == null || endpoint.isBlank() ? null : URI.create(endpoint.strip()),
                AwsClients.credentials(env), null)) {
            return ssm.read(name);
        } catch (RuntimeException e) {
            // the parameter's name is no secret; the exception's message may hold anything, so only its type
            throw new IllegalStateException("cannot read " + EnvNames.CONFIG_PARAMETER + " " + name + " ("
                    + e.getClass().getSimpleName() + ")", e);
        }
    }
}
