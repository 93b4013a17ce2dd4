package io.switchboard.core.fuzz;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A loopback server that answers every request with the exact bytes of {@link #answer} and then closes the
 * connection: the fuzz targets' upstream. It reads each request whole first (head and {@code content-length} body),
 * so what the client sees depends on the answer only. {@link #frame} builds answers with random framing.
 */
public final class RawUpstream implements AutoCloseable {
    private final ServerSocket socket;
    private final AtomicReference<byte[]> answer = new AtomicReference<>(new byte[0]);

    /** Starts the server on an ephemeral loopback port. */
    public RawUpstream() throws IOException {
        socket = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("raw-upstream").start(this::accept);
    }

    /** The base URL. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    /** Sets the bytes of the next answers. */
    public void answer(byte[] bytes) {
        answer.set(bytes);
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setSoTimeout(10_000);
            InputStream in = new BufferedInputStream(s.getInputStream());
            long length = 0;
            StringBuilder line = new StringBuilder();
            while (true) {
                int c = in.read();
                if (c < 0) {
                    return;
                }
                if (c == '\n') {
                    String l = line.toString().trim();
                    line.setLength(0);
                    if (l.isEmpty()) {
                        break;
                    }
                    if (l.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                        length = Long.parseLong(l.substring(15).trim());
                    }
                } else {
                    line.append((char) c);
                }
            }
            in.skipNBytes(length);
            OutputStream out = s.getOutputStream();
            out.write(answer.get());
            out.flush();
            s.shutdownOutput();
        } catch (IOException | RuntimeException e) {
            // the client went away: fine for a fuzz upstream
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /**
     * An HTTP/1.1 answer of {@code status} carrying {@code body} with a random framing: exact
     * {@code content-length}, chunked (random chunk sizes, extensions, trailers) or until close; sometimes after a
     * {@code 100 Continue}.
     */
    public static byte[] frame(Random r, int status, String contentType, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 256);
        if (r.nextInt(10) == 0) {
            out.writeBytes(ascii("HTTP/1.1 100 Continue\r\n\r\n"));
        }
        out.writeBytes(ascii("HTTP/1.1 " + status + " X\r\ncontent-type: " + contentType + "\r\n"));
        switch (r.nextInt(3)) {
            case 0 -> {
                out.writeBytes(ascii("Content-Length: " + body.length + "\r\n\r\n"));
                out.writeBytes(body);
            }
            case 1 -> {
                out.writeBytes(ascii("Transfer-Encoding: chunked\r\n\r\n"));
                int at = 0;
                while (at < body.length) {
                    int n = Math.min(body.length - at, 1 + r.nextInt(r.nextBoolean() ? 8 : 600));
                    out.writeBytes(ascii(Integer.toHexString(n) + (r.nextInt(8) == 0 ? ";ext=1" : "") + "\r\n"));
                    out.write(body, at, n);
                    out.writeBytes(ascii("\r\n"));
                    at += n;
                }
                out.writeBytes(ascii(r.nextInt(6) == 0 ? "0\r\nx-trailer: t\r\n\r\n" : "0\r\n\r\n"));
            }
            default -> {
                out.writeBytes(ascii("Connection: close\r\n\r\n"));
                out.writeBytes(body);
            }
        }
        return out.toByteArray();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
