/**
 * Keys, tenants, rate limits and budgets: gateway keys stored hashed in DynamoDB ({@link
 * io.switchboard.core.governance.KeyStore}), resolved on the request path through a short-lived L1
 * ({@link io.switchboard.core.governance.KeyDirectory}), requests and tokens per minute enforced in L2 by one Lua
 * call ({@link io.switchboard.core.governance.RateLimiter}), spend priced ({@link
 * io.switchboard.core.governance.PriceTable}) and recorded per key, tenant, model and day ({@link
 * io.switchboard.core.governance.SpendRecorder}), all composed by {@link io.switchboard.core.governance.Governance}.
 */
package io.switchboard.core.governance;
