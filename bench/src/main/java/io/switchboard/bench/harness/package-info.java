/**
 * The black-box harness ({@code bench/run.sh}): a mock OpenAI-compatible upstream on loopback, Switchboard's local
 * run and the Portkey gateway in front of it, an interleaving load driver, results, chart, history and the
 * regression gate of CI, the focused streaming run ({@link io.switchboard.bench.harness.StreamMode}) and the soak run
 * ({@link io.switchboard.bench.harness.SoakMode}).
 * Everything it starts listens on 127.0.0.1 only and is stopped at the end.
 */
package io.switchboard.bench.harness;
