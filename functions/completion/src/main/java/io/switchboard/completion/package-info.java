/**
 * The completion function: a thin API Gateway HTTP API (payload v2) handler. It maps the event to the layer's
 * {@link io.switchboard.core.http.GatewayRequest}, lets the layer's {@link io.switchboard.core.Gateway} serve it, and
 * maps the answer back.
 */
package io.switchboard.completion;
