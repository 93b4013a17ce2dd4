package io.switchboard.shared.config;

import java.util.Objects;

/**
 * Where a secret comes from: {@code env:NAME} (an environment variable, for local runs) or {@code ssm:/path} (an SSM
 * SecureString parameter, for AWS). Never holds the secret itself.
 *
 * @param source the store
 * @param name the variable name or parameter path
 */
public record SecretRef(Source source, String name) {

    /** Secret stores. */
    public enum Source { ENV, SSM }

    public SecretRef {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("secret name must not be blank");
        }
    }

    /** Parses {@code env:NAME} or {@code ssm:/path}. */
    public static SecretRef parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        int colon = spec.indexOf(':');
        if (colon > 0) {
            String scheme = spec.substring(0, colon);
            String rest = spec.substring(colon + 1);
            if (scheme.equals("env")) {
                return new SecretRef(Source.ENV, rest);
            }
            if (scheme.equals("ssm")) {
                return new SecretRef(Source.SSM, rest);
            }
        }
        throw new IllegalArgumentException("a secret reference is env:NAME or ssm:/parameter/path");
    }

    @Override
    public String toString() {
        return source.name().toLowerCase(java.util.Locale.ROOT) + ":" + name;
    }
}
