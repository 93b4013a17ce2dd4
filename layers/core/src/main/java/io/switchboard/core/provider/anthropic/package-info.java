/**
 * The {@code anthropic} provider: Anthropic's Messages API ({@code POST {baseUrl}/messages}) behind the OpenAI chat
 * completions format. {@link io.switchboard.core.provider.anthropic.AnthropicProvider} does the HTTP exchange; the
 * package-private classes beside it translate: {@code AnthropicRequests} (an OpenAI request to a Messages request,
 * with {@code AnthropicContent} for content parts, {@code AnthropicTools} for tools and tool calls, and
 * {@code AnthropicParameters} deciding what is refused and what is dropped), {@code AnthropicResponses} (a
 * message to a {@code chat.completion}), {@code AnthropicStream} (Messages events to {@code chat.completion.chunk}s),
 * {@code AnthropicErrors} (error event types to the gateway's taxonomy) and {@code AnthropicUsage} (token counts).
 */
package io.switchboard.core.provider.anthropic;
