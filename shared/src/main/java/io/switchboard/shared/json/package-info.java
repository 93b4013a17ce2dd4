/**
 * JSON codecs for the records of {@code chat}, {@code embeddings} and {@code config}: strict readers that name the
 * offending field, and streaming writers that produce OpenAI's wire format without intermediate trees.
 */
package io.switchboard.shared.json;
