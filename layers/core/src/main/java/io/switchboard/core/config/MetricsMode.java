package io.switchboard.core.config;

/** Where metrics go. */
public enum MetricsMode {
    /** Powertools for AWS Lambda metrics, as CloudWatch Embedded Metric Format. */
    EMF,
    /** Nowhere. */
    OFF
}
