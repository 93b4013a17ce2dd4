/**
 * The {@code bedrock} provider: Amazon Bedrock Runtime's Converse (whole answers) and ConverseStream (streamed),
 * signed with the function's role. {@link io.switchboard.core.provider.bedrock.BedrockProvider} is the provider; the
 * translation between OpenAI's wire format and Converse lives beside it, package-private: requests
 * ({@code RequestMapper}), whole answers ({@code ResponseMapper}), stream events ({@code StreamTranslator}), the
 * bridge from the SDK's event publisher to the request thread ({@code EventQueue}) and JSON documents
 * ({@code Documents}). The rules are in {@code docs/providers-bedrock.md}.
 */
package io.switchboard.core.provider.bedrock;
