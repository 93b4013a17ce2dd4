package io.switchboard.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.core.net.Http1Client;
import io.switchboard.core.net.Http1Response;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzz targets of the provider HTTP/1.1 client's answer parsing (status line, headers, 1xx, content-length, chunked
 * framing with extensions and trailers, until close) over a loopback socket. Well-framed answers read back exactly
 * the body sent, whatever the framing and chunk sizes; mutated answers fail with an {@link IOException} only
 * (no runtime exception, no hang: the exchange's deadline bounds every read).
 */
class Http1FuzzTest {
    private static RawUpstream upstream;
    private static Http1Client client;

    @BeforeAll
    static void start() throws IOException {
        upstream = new RawUpstream();
        client = new Http1Client(Duration.ofSeconds(2), Duration.ofSeconds(30), 4);
    }

    @AfterAll
    static void stop() throws IOException {
        client.close();
        upstream.close();
    }

    record Answer(int status, byte[] body, byte[] wire) {
    }

    @Test
    void wellFramedAnswersReadBackExactly() {
        Fuzz.run("http1-framing", r -> {
            byte[] body = new byte[r.nextInt(4) == 0 ? r.nextInt(20_000) : r.nextInt(300)];
            r.nextBytes(body);
            int status = List.of(200, 201, 400, 404, 429, 500, 503).get(r.nextInt(7));
            return new Answer(status, body, RawUpstream.frame(r, status, "application/json", body));
        }, a -> {
            upstream.answer(a.wire());
            try (Http1Response response = client.post(upstream.uri().resolve("/v1/x"), Map.of(), new byte[] {'{', '}'})
                    .execute(Duration.ofSeconds(5))) {
                assertEquals(a.status(), response.status());
                assertArrayEquals(a.body(), response.bytes(1 << 20));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void mutatedAnswersFailWithAnIoExceptionOnly() {
        List<byte[]> seeds = new ArrayList<>();
        java.util.Random seedRandom = new java.util.Random(1);
        for (int i = 0; i < 12; i++) {
            seeds.add(RawUpstream.frame(seedRandom, 200, "text/event-stream",
                    RawUpstream.ascii("data: {\"a\":" + i + "}\n\ndata: [DONE]\n\n")));
        }
        Fuzz.run("http1-mutated", r -> Mutations.of(r, seeds), wire -> {
            upstream.answer(wire);
            try (Http1Response response = client.post(upstream.uri().resolve("/v1/x"), Map.of(), new byte[] {'{', '}'})
                    .execute(Duration.ofSeconds(5))) {
                response.bytes(1 << 20);
            } catch (IOException expected) {
                // refused as the transport failure it is
            }
        });
    }
}
