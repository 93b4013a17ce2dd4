package io.switchboard.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.core.stream.SseDecoder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target of {@link SseDecoder}: over mutated streams of every provider's shape it never throws but an
 * {@link IOException}, and the events it returns do not depend on how the bytes arrive (one byte at a time, random
 * read sizes, all at once), as they would not on a real network.
 */
class SseDecoderFuzzTest {
    static final List<byte[]> SEEDS;

    static {
        SEEDS = new ArrayList<>(ProviderResponsesFuzzTest.OPENAI_SSE);
        SEEDS.addAll(ProviderResponsesFuzzTest.ANTHROPIC_SSE);
        SEEDS.addAll(Mutations.seeds("data: a\rdata: b\r\r", "data:x\n\nevent: e\nid: 1\nretry: 5\ndata\n\n", ": only\n"));
    }

    record Case(byte[] body, long seed) {
        @Override
        public String toString() {
            return Fuzz.show(body);
        }
    }

    @Test
    void eventsDoNotDependOnReadSizes() {
        Fuzz.run("sse-decoder", r -> new Case(Mutations.of(r, SEEDS), r.nextLong()), c -> {
            List<String> whole = decode(new ByteArrayInputStream(c.body()));
            List<String> pieces = decode(new Trickle(c.body(), new Random(c.seed())));
            assertEquals(whole, pieces);
        });
    }

    private static List<String> decode(InputStream in) {
        SseDecoder d = new SseDecoder(in);
        List<String> out = new ArrayList<>();
        try {
            for (String data; (data = d.next()) != null; ) {
                out.add(d.event() + "|" + data);
            }
        } catch (IOException e) {
            out.add("IOException");
        }
        return out;
    }

    /** Returns random small reads, as a socket does. */
    static final class Trickle extends InputStream {
        private final byte[] body;
        private final Random r;
        private int at;

        Trickle(byte[] body, Random r) {
            this.body = body;
            this.r = r;
        }

        @Override
        public int read() {
            return at < body.length ? body[at++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (at >= body.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, body.length - at), 1 + r.nextInt(r.nextBoolean() ? 3 : 64));
            System.arraycopy(body, at, b, off, n);
            at += n;
            return n;
        }
    }
}
