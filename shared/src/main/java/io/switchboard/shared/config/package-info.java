/** Configuration records: providers, model routes, gateway keys and limits. Read from the environment by the layer. */
package io.switchboard.shared.config;
