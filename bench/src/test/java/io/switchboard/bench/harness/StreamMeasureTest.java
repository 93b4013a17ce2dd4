package io.switchboard.bench.harness;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The stream measurement's pieces: where the first data: event ends, and the streaming targets. */
class StreamMeasureTest {
    private static boolean feed(LoadDriver.EventScan scan, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return scan.ended(b, b.length);
    }

    @Test
    void firstEventEndsAtItsBlankLine() {
        assertTrue(feed(new LoadDriver.EventScan(), "data: {\"a\":1}\n\ndata: [DONE]\n\n"));
        LoadDriver.EventScan scan = new LoadDriver.EventScan();
        assertFalse(feed(scan, "data: {\"a\":1}\n"));
        assertTrue(feed(scan, "\n"));
        assertTrue(feed(scan, "data: more\n\n"), "stays ended");
    }

    @Test
    void eventSplitAcrossReadsByteByByte() {
        LoadDriver.EventScan scan = new LoadDriver.EventScan();
        String s = "data: {\"x\":\"y\"}\r\n\r\n";
        for (int i = 0; i < s.length() - 1; i++) {
            assertFalse(feed(scan, s.substring(i, i + 1)), "at " + i);
        }
        assertTrue(feed(scan, s.substring(s.length() - 1)));
    }

    @Test
    void commentsAndOtherFieldsAreNotDataEvents() {
        LoadDriver.EventScan scan = new LoadDriver.EventScan();
        assertFalse(feed(scan, ": keep-alive\n\n"));
        assertFalse(feed(scan, "event: ping\nid: 3\n\n"));
        assertFalse(feed(scan, "dat: no\n\n"));
        assertFalse(feed(scan, "event: message\ndata: yes\n"));
        assertTrue(feed(scan, "\n"));
    }

    @Test
    void aJsonBodyHasNoEvent() {
        assertFalse(feed(new LoadDriver.EventScan(), MockUpstream.completion(256)));
    }

    @Test
    void targetsOfTheIssue() {
        assertTrue(StreamMode.ttfbPass(1, 1000));
        assertFalse(StreamMode.ttfbPass(1, 1001));
        assertTrue(StreamMode.ttfbPass(8, 3000));
        assertFalse(StreamMode.ttfbPass(8, 3001));
        assertTrue(StreamMode.wholePass(3800, 2800));
        assertFalse(StreamMode.wholePass(3801, 2800));
    }
}
