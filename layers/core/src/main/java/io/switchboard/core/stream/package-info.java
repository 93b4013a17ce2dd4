/**
 * Streaming, in one place: {@link io.switchboard.core.stream.StreamSink} (where providers hand chunks or a whole
 * answer as they arrive), {@link io.switchboard.core.stream.Chunk} (a chunk's bytes and its tree, parsed at most
 * once), {@link io.switchboard.core.stream.SseDecoder} (incremental server-sent-events reader),
 * {@link io.switchboard.core.stream.EventStreamWriter} (the caller's {@code text/event-stream}: flush per event,
 * keep-alives, error events, {@code [DONE]} only when complete), {@link io.switchboard.core.stream.StreamAssembler}
 * (the whole answer a stream adds up to), {@link io.switchboard.core.stream.StreamWatch} (timeouts that cancel the
 * upstream, and keep-alive timing) and the replay of a stored answer as a stream.
 */
package io.switchboard.core.stream;
