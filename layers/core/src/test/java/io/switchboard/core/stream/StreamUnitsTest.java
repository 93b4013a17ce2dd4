package io.switchboard.core.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.http.BufferedResponse;
import io.switchboard.core.http.CallerGoneException;
import io.switchboard.core.http.ResponseSink;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.json.ChatJson;
import io.switchboard.shared.json.ChatResponseReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The streaming pieces on their own: decoder, writer, assembler, replay, watch. */
class StreamUnitsTest {

    private static List<String> decode(String body) {
        return SseDecoder.decodeAll(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void decoder_lineEndingsCommentsMultiLineDataAndEventNames() throws IOException {
        assertEquals(List.of("a", "b", "c"), decode("data: a\n\ndata: b\r\n\r\ndata:c\r\r"));
        assertEquals(List.of("x\ny"), decode(": comment\nid: 7\ndata: x\ndata: y\n\n"));
        assertEquals(List.of("[DONE]"), decode("data: [DONE]\n"), "a last line that ended still counts");
        assertEquals(List.of("first"), decode("data: first\n\ndata: {\"cut"), "a line cut in the middle is dropped");
        SseDecoder d = new SseDecoder(new ByteArrayInputStream(
                "event: message_start\ndata: {}\n\ndata: 2\n\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("{}", d.next());
        assertEquals("message_start", d.event());
        assertEquals("2", d.next());
        assertNull(d.event());
        assertNull(d.next());
    }

    @Test
    void decoder_returnsEachEventAsSoonAsItsBlankLineArrives() throws IOException {
        // a stream that hands out one byte per read and fails if read past the first event
        byte[] first = "data: one\n\n".getBytes(StandardCharsets.UTF_8);
        AtomicInteger at = new AtomicInteger();
        InputStream trickle = new InputStream() {
            @Override
            public int read() {
                throw new UnsupportedOperationException("the decoder reads through read(byte[], int, int)");
            }

            @Override
            public int read(byte[] b, int off, int len) {
                int i = at.getAndIncrement();
                if (i >= first.length) {
                    throw new AssertionError("read beyond the first event before returning it");
                }
                b[off] = first[i];
                return 1;
            }
        };
        assertEquals("one", new SseDecoder(trickle).next());
    }

    @Test
    void decoder_refusesAnEndlessLine() {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 'a';
            }
        };
        assertThrows(IOException.class, () -> new SseDecoder(endless).next());
    }

    private static BufferedResponse buffered() {
        return new BufferedResponse();
    }

    /** A sink that streams (so errors after the first byte become events) and records every flush. */
    private static final class StreamingSink implements ResponseSink {
        final StringBuilder body = new StringBuilder();
        final List<String> flushed = new ArrayList<>();
        int status = -1;
        boolean ended;
        boolean gone;

        @Override
        public void begin(int s, Map<String, String> headers, long length) {
            status = s;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            if (gone) {
                throw new CallerGoneException(new IOException("broken pipe"));
            }
            body.append(new String(bytes, offset, length, StandardCharsets.UTF_8));
        }

        @Override
        public void flush() {
            flushed.add(body.toString());
        }

        @Override
        public void end() {
            ended = true;
        }

        @Override
        public boolean committed() {
            return status >= 0;
        }
    }

    @Test
    void writer_flushesEachChunk_endsWithDoneOnlyWhenComplete() {
        StreamingSink sink = new StreamingSink();
        EventStreamWriter w = new EventStreamWriter(sink, Map::of, System::nanoTime, false, Long.MAX_VALUE);
        assertFalse(w.committed(), "nothing is sent before the first chunk");
        w.chunk(Chunk.of("{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(200, sink.status);
        assertEquals(List.of("data: {\"a\":1}\n\n"), sink.flushed, "one flush per event");
        w.done();
        assertTrue(sink.body.toString().endsWith("data: [DONE]\n\n"));
        assertTrue(sink.ended);
        assertEquals(1, w.chunks());
    }

    @Test
    void writer_failAfterTheFirstByte_isAnErrorEventWithoutDone() {
        StreamingSink sink = new StreamingSink();
        EventStreamWriter w = new EventStreamWriter(sink, Map::of, System::nanoTime, false, Long.MAX_VALUE);
        w.chunk(Chunk.of("{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
        w.fail(GatewayException.of(ErrorKind.STREAM_TRUNCATED, "Provider 'p' broke off the stream."));
        String body = sink.body.toString();
        assertTrue(body.contains("data: {\"error\":{"), body);
        assertTrue(body.contains("\"code\":\"stream_truncated\""), body);
        assertFalse(body.contains("[DONE]"), body);
        assertTrue(sink.ended);
    }

    @Test
    void writer_keepAliveCommitsAndIsAComment_callerGoneIsRemembered() {
        StreamingSink sink = new StreamingSink();
        EventStreamWriter w = new EventStreamWriter(sink, Map::of, System::nanoTime, false, Long.MAX_VALUE);
        assertTrue(w.keepAlive());
        assertEquals(200, sink.status);
        assertEquals(": keep-alive\n\n", sink.body.toString());
        assertEquals(1, w.keepAlives());
        sink.gone = true;
        assertThrows(CallerGoneException.class, () -> w.chunk(Chunk.of("{}".getBytes(StandardCharsets.UTF_8))));
        assertTrue(w.callerGone());
        assertFalse(w.keepAlive(), "no keep-alives to a caller that left");
    }

    @Test
    void writer_onAnEdgeThatCannotStream_refusesMoreThanThePayloadLimit() {
        BufferedResponse out = buffered();
        EventStreamWriter w = new EventStreamWriter(out, Map::of, System::nanoTime, false, 64);
        w.chunk(Chunk.of("{\"small\":1}".getBytes(StandardCharsets.UTF_8)));
        GatewayException e = assertThrows(GatewayException.class,
                () -> w.chunk(Chunk.of(("{\"big\":\"" + "x".repeat(100) + "\"}").getBytes(StandardCharsets.UTF_8))));
        assertEquals(ErrorKind.RESPONSE_TOO_LARGE, e.kind());
    }

    @Test
    void chunk_parsesAtMostOnce() {
        Chunk c = Chunk.of("{\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        assertTrue(c.node() == c.node(), "the tree is memoized");
        assertEquals(ErrorKind.UPSTREAM_INVALID_RESPONSE,
                assertThrows(GatewayException.class, () -> Chunk.of("{nope".getBytes()).node()).kind());
    }

    @Test
    void streamAssembler_rebuildsTheCompletion_andReplayRoundTrips() {
        ChatResponse original = ChatResponseReader.read(("{\"id\":\"c1\",\"created\":7,\"model\":\"m\",\"choices\":["
                + "{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + "é🙂 word ".repeat(80) + "\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}")
                .getBytes(StandardCharsets.UTF_8));
        List<byte[]> chunks = new ArrayList<>();
        SseReplay.replay(original, true, StreamSink.chunks(chunks::add));
        assertTrue(chunks.size() >= 4);
        StreamAssembler assembler = new StreamAssembler();
        chunks.forEach(c -> assembler.chunk(Chunk.of(c)));
        ChatResponse rebuilt = assembler.result();
        assertNotNull(rebuilt);
        assertArrayEquals(ChatJson.writeResponse(original), ChatJson.writeResponse(rebuilt));
    }

    @Test
    void streamAssembler_partialOrBrokenStream_isNotStored() {
        StreamAssembler partial = new StreamAssembler();
        partial.chunk(Chunk.of(ChatJson.writeChunk("c", 1, "m", 0, "assistant", "hi", null, null, null)));
        assertNull(partial.result(), "no finish_reason: partial");
        StreamAssembler broken = new StreamAssembler();
        broken.chunk(Chunk.of("{not json".getBytes(StandardCharsets.UTF_8)));
        broken.chunk(Chunk.of(ChatJson.writeChunk("c", 1, "m", 0, null, null, null, "stop", null)));
        assertNull(broken.result());
    }

    @Test
    void watch_closesTheUpstreamOnSilence_butNotWhileTheCallerIsBeingWrittenTo() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        try (StreamWatch w = StreamWatch.start(System::nanoTime, Duration.ofSeconds(5), Duration.ofMillis(80),
                Long.MAX_VALUE, null, null)) {
            w.upstream(closed::countDown);
            w.event();
            w.busy(true); // blocked on a slow caller for longer than the idle timeout
            assertFalse(closed.await(250, TimeUnit.MILLISECONDS), "writing to the caller is not upstream silence");
            w.busy(false);
            assertTrue(closed.await(2, TimeUnit.SECONDS), "then silence is");
            assertEquals(StreamWatch.Expiry.IDLE, w.expired());
        }
    }

    @Test
    void watch_sendsKeepAlivesWhileTheCallerHearsNothing() throws Exception {
        AtomicLong lastWrite = new AtomicLong(System.nanoTime());
        CountDownLatch three = new CountDownLatch(3);
        StreamWatch.Caller caller = new StreamWatch.Caller() {
            @Override
            public long lastWriteNanos() {
                return lastWrite.get();
            }

            @Override
            public boolean keepAlive() {
                lastWrite.set(System.nanoTime());
                three.countDown();
                return true;
            }
        };
        try (StreamWatch w = StreamWatch.start(System::nanoTime, Duration.ofSeconds(10), Duration.ofSeconds(10),
                Long.MAX_VALUE, Duration.ofMillis(40), caller)) {
            assertTrue(three.await(3, TimeUnit.SECONDS), "keep-alives every 40 ms of silence");
            assertNull(w.expired());
        }
    }
}
