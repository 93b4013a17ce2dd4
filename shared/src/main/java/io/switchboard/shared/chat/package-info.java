/**
 * Records for OpenAI's chat completions wire format, as Switchboard promises it. Fields the gateway does not interpret
 * are kept in {@code extensions} so that nothing a caller or provider sent is lost.
 */
package io.switchboard.shared.chat;
