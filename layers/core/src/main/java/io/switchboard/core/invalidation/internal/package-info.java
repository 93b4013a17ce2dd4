/** Implementations of the invalidation package's interfaces: EventBridge publishing, Powertools metrics. */
package io.switchboard.core.invalidation.internal;
