/** The chat completions pipeline: authenticate, read, route, call the provider, write, measure. */
package io.switchboard.core.completion;
