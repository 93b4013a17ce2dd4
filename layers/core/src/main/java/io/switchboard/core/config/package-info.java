/** Configuration read in one place: {@link io.switchboard.core.config.Settings#from(java.util.Map)}. */
package io.switchboard.core.config;
