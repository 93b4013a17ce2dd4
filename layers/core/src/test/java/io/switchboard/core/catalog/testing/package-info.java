/** Test fixtures shared with the discovery function's tests: DynamoDB Local, fake providers, a recording publisher. */
package io.switchboard.core.catalog.testing;
