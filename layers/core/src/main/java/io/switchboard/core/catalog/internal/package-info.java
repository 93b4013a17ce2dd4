/**
 * Implementations behind the catalog's interfaces: the DynamoDB store, the EventBridge publisher, one model lister
 * per provider wire format (OpenAI, Anthropic, Bedrock through the AWS SDK, mock), AWS client construction and the
 * edit distance used to suggest close model names.
 */
package io.switchboard.core.catalog.internal;
