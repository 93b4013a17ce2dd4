package io.switchboard.core.resilience;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback upstream speaking OpenAI's {@code POST /v1/chat/completions} (or Anthropic's {@code POST /v1/messages})
 * over raw sockets, so it can fail the ways real ones do: an error status (with {@code Retry-After}), a reset
 * connection, a hang, a body that stops half way, an event stream cut short. Faults are scripted per request, in
 * order; once they run out it answers as a healthy provider does (a completion, or an event stream when the request
 * asks for one). One request per connection ({@code Connection: close}).
 */
final class FaultyUpstream implements AutoCloseable {
    /** How one request is answered. */
    sealed interface Fault {
    }

    /** An HTTP error with OpenAI's (or Anthropic's) error body and extra headers (name, value, ...). */
    record Status(int status, String body, String... headers) implements Fault {
    }

    /** The connection is reset (RST) once the request was read. */
    record Reset() implements Fault {
    }

    /** Nothing is answered until the client gives up. */
    record Hang() implements Fault {
    }

    /** A 200 whose body stops half way and then nothing more comes. */
    record SlowBody() implements Fault {
    }

    /** A 200 event stream that sends {@code chunks} events and then closes the connection without [DONE]. */
    record Truncated(int chunks) implements Fault {
    }

    static Status status(int status, String... headers) {
        return new Status(status, "{\"error\":{\"message\":\"injected\",\"type\":\"server_error\",\"param\":null,"
                + "\"code\":null}}", headers);
    }

    static Status anthropicOverloaded() {
        return new Status(529, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
    }

    static Status openAiError(int status, String code) {
        return new Status(status, "{\"error\":{\"message\":\"injected\",\"type\":\"invalid_request_error\","
                + "\"param\":\"messages\",\"code\":\"" + code + "\"}}");
    }

    private final ServerSocket server;
    private final Thread acceptor;
    private final ConcurrentLinkedQueue<Fault> script = new ConcurrentLinkedQueue<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Fault always;
    private final String answer;

    private FaultyUpstream(String answer) throws IOException {
        this.answer = answer;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofPlatform().daemon().name("faulty-upstream").start(this::accept);
    }

    /** An OpenAI-compatible upstream. */
    static FaultyUpstream openAi() throws IOException {
        return new FaultyUpstream("openai");
    }

    /** An Anthropic Messages upstream. */
    static FaultyUpstream anthropic() throws IOException {
        return new FaultyUpstream("anthropic");
    }

    /** {@code http://127.0.0.1:PORT/v1}. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/v1";
    }

    /** The next requests get these faults, in order. */
    FaultyUpstream then(Fault... faults) {
        script.addAll(List.of(faults));
        return this;
    }

    /** Every request gets {@code f} (null: healthy again), after the scripted ones. */
    FaultyUpstream always(Fault f) {
        always = f;
        return this;
    }

    /** Requests received so far. */
    int requests() {
        return requests.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                open.add(s);
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            byte[] body = readRequest(s.getInputStream());
            if (body == null) {
                return;
            }
            requests.incrementAndGet();
            boolean stream = new String(body, StandardCharsets.UTF_8).replace(" ", "").contains("\"stream\":true");
            Fault f = script.poll();
            if (f == null) {
                f = always;
            }
            OutputStream out = s.getOutputStream();
            switch (f) {
                case null -> healthy(out, stream);
                case Status st -> {
                    StringBuilder extra = new StringBuilder();
                    for (int i = 0; i + 1 < st.headers().length; i += 2) {
                        extra.append(st.headers()[i]).append(": ").append(st.headers()[i + 1]).append("\r\n");
                    }
                    write(out, st.status(), "application/json", extra.toString(), st.body());
                }
                case Reset r -> {
                    s.setSoLinger(true, 0); // close() now sends RST
                }
                case Hang h -> closed.await();
                case SlowBody sb -> {
                    String full = completionJson();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                            + full.length() + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(full.substring(0, full.length() / 2).getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    closed.await();
                }
                case Truncated t -> {
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
                            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    for (int i = 0; i < t.chunks(); i++) {
                        chunk(out, "data: " + chunkJson(i == 0 ? "Hel" : "lo") + "\n\n");
                    }
                    out.flush();
                    // closed without the terminating chunk or [DONE]
                }
            }
        } catch (IOException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void healthy(OutputStream out, boolean stream) throws IOException {
        if (answer.equals("anthropic")) {
            write(out, 200, "application/json", "", "{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\","
                    + "\"model\":\"claude-x\",\"content\":[{\"type\":\"text\",\"text\":\"Hello!\"}],"
                    + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":9,"
                    + "\"output_tokens\":3}}");
            return;
        }
        if (!stream) {
            write(out, 200, "application/json", "", completionJson());
            return;
        }
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        chunk(out, "data: " + chunkJson("Hel") + "\n\n");
        chunk(out, "data: " + chunkJson("lo!") + "\n\n");
        chunk(out, "data: [DONE]\n\n");
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void chunk(OutputStream out, String data) throws IOException {
        byte[] b = data.getBytes(StandardCharsets.UTF_8);
        out.write((Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void write(OutputStream out, int status, String type, String extra, String body)
            throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + " X\r\nContent-Type: " + type + "\r\nContent-Length: " + b.length + "\r\n"
                + extra + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.flush();
    }

    static String completionJson() {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1741570283,\"model\":\"m-1\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello!\"},"
                + "\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":9,"
                + "\"completion_tokens\":3,\"total_tokens\":12}}";
    }

    private static String chunkJson(String content) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1741570283,\"model\":\"m-1\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},\"logprobs\":null,"
                + "\"finish_reason\":null}]}";
    }

    /** The request's body, or null if the client left before sending it. */
    private static byte[] readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            head.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3))
                    ? state + 1 : c == '\r' ? 1 : 0;
        }
        int length = 0;
        for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                length = Integer.parseInt(line.substring(colon + 1).trim());
            }
        }
        return in.readNBytes(length);
    }

    @Override
    public void close() throws IOException {
        closed.countDown();
        server.close();
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
