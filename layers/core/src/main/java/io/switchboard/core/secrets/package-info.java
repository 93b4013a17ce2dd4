/** Secrets (provider API keys) resolved lazily from the environment or SSM Parameter Store, and cached. */
package io.switchboard.core.secrets;
