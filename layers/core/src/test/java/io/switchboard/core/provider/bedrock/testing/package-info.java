/** A loopback fake of Bedrock Runtime (Converse and ConverseStream), shared with the functions' tests and the benchmarks. */
package io.switchboard.core.provider.bedrock.testing;
