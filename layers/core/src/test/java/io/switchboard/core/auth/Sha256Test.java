package io.switchboard.core.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

/** SHA-256 by copies of one template: the known digests, also from many threads at once. */
class Sha256Test {
    private static String hex(String s) {
        return HexFormat.of().formatHex(Sha256.digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void knownDigests() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hex(""));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hex("abc"));
        assertEquals(hex("abc"), hex("abc"), "the template is left untouched by a digest");
    }

    @Test
    void concurrentDigests_neverMix() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                String input = "key-" + t;
                String expected = hex(input);
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        if (!hex(input).equals(expected)) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : done) {
                assertEquals(true, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
