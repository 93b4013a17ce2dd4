/** Gateway key authentication: keys are configured as SHA-256 hashes and compared in constant time. */
package io.switchboard.core.auth;
