/**
 * The tiered response cache: a per-environment Caffeine L1 bounded by bytes, an ElastiCache (Valkey/Redis) L2 shared
 * by every environment, canonical tenant-scoped keys, per-request controls, cross-instance stampede protection, tag
 * indexes for invalidation, and fail-open behaviour when L2 is slow or down. {@link
 * io.switchboard.core.cache.ResponseCache} is the facade the completion and embeddings pipelines use; their canonical
 * forms ({@link io.switchboard.core.cache.CanonicalRequests}) hash in disjoint domains.
 */
package io.switchboard.core.cache;
