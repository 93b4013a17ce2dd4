/** Governance on AWS and Valkey: the DynamoDB key and usage stores and the Lua rate limiter. */
package io.switchboard.core.governance.internal;
