/** The {@code mock} provider: deterministic, offline and realistic. The local default and the tests' upstream. */
package io.switchboard.core.provider.mock;
