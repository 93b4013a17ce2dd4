/**
 * Switchboard's contracts, shared by the layer and every function: the error taxonomy at the root, the OpenAI wire
 * format records in {@code chat} and {@code embeddings}, configuration records in {@code config} and their JSON codecs in {@code json}.
 * Nothing here depends on AWS.
 */
package io.switchboard.shared;
