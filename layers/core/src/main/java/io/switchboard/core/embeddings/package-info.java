/**
 * The embeddings pipeline ({@code POST /v1/embeddings}): authenticate, read, route, consult the cache, call the
 * provider, write the vectors in the caller's encoding, measure. Mirrors the completion pipeline's stages; embeddings
 * never stream.
 */
package io.switchboard.core.embeddings;
