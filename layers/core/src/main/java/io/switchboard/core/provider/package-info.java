/**
 * The provider SPI and its plumbing. {@link io.switchboard.core.provider.ChatProvider} is a template method: its
 * public calls apply defaults, time the upstream exchange and map every failure into the error taxonomy; a provider
 * implements only the wire call ({@code doChat}, {@code doStream}, and {@code doEmbed} for providers that embed:
 * the default refuses with 400 {@code provider_not_supported}). {@link io.switchboard.core.provider.ProviderRegistry} builds each provider once per
 * environment and again only when its configuration changes.
 */
package io.switchboard.core.provider;
