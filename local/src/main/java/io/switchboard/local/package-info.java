/**
 * The local runner: serves the HTTP API routes that {@code template.yaml} declares on loopback by invoking the same
 * handler classes Lambda would, with API Gateway payload v2 events serialized the way the Lambda Java runtime does,
 * one request at a time per execution environment and at most the reserved concurrency of environments.
 */
package io.switchboard.local;
