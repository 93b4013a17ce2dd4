/** AWS and HTTP clients: the one credentials chain, client factories, and each environment's set of lazily built clients. */
package io.switchboard.core.aws;
