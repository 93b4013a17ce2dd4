/**
 * Metrics: {@link io.switchboard.core.metrics.GatewayMetrics} is what the gateway records; the Powertools
 * implementation writes CloudWatch Embedded Metric Format that the dashboards read.
 */
package io.switchboard.core.metrics;
