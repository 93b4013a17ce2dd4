/**
 * The Switchboard layer: what every function shares. {@link io.switchboard.core.Gateway} assembles one execution
 * environment's objects (configuration, authenticator, provider registry, metrics) and serves requests; heavy objects
 * are built once, lazily, through {@link io.switchboard.core.Lazy}.
 */
package io.switchboard.core;
