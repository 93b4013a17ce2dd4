/** JMH microbenchmarks of the request path's pieces (run by {@code bench/run.sh --full}). */
package io.switchboard.bench.jmh;
