/**
 * Records for OpenAI's embeddings wire format ({@code POST /v1/embeddings}), as Switchboard promises it: the validated
 * request with its four input shapes, and the answer whose vectors are float32, the precision OpenAI's {@code base64}
 * encoding defines. Fields the gateway does not interpret are kept in {@code extensions}.
 */
package io.switchboard.shared.embeddings;
