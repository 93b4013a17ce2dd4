package io.switchboard.core.secrets;

/** A place secrets are read from. */
@FunctionalInterface
public interface SecretStore {
    /** The secret named {@code name}; throws when it cannot be read. */
    String read(String name);
}
