/** The {@code openai} provider: any OpenAI-compatible endpoint over the environment's one {@code java.net.http} client. */
package io.switchboard.core.provider.openai;
