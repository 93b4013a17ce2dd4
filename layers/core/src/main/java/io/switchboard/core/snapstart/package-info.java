/**
 * SnapStart (CRaC) support: {@link io.switchboard.core.snapstart.CheckpointHooks} registers the environment's
 * resources with {@code org.crac} in a deliberate order, so that before a snapshot the request path is primed offline
 * and every socket is closed, and after a restore connections, credentials and tokens are made anew on first use.
 */
package io.switchboard.core.snapstart;
