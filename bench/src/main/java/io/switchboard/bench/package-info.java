/** Benchmark harnesses. They measure and report; targets are judged from their output, never asserted in tests. */
package io.switchboard.bench;
