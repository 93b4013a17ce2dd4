package io.switchboard.local;

import java.io.BufferedInputStream;
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
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * An OpenAI-compatible provider on a loopback port, over raw sockets so that it can fail every way the provider
 * contract suite knows: an error status (with {@code Retry-After}), a connection reset half way through the body, a
 * hang, a garbage 200, an event stream cut short. Each chat request is answered as {@link #policy} says (healthy by
 * default: a completion with usage 9 + 3 tokens, or an event stream ending in {@code [DONE]}); {@code GET /v1/models}
 * lists {@link #models}. One request per connection.
 */
final class FaultUpstream implements AutoCloseable {
    /** How one chat request is answered. */
    sealed interface Fault {
    }

    /** A healthy answer. */
    record Healthy() implements Fault {
    }

    /** An error status with OpenAI's error body and extra headers (name, value, ...). */
    record Status(int status, String... headers) implements Fault {
    }

    /** A 200 whose head and half of its body arrive, then the connection is reset (RST). */
    record ResetMidBody() implements Fault {
    }

    /** Nothing is answered until the client gives up. */
    record Hang() implements Fault {
    }

    /** A healthy answer after {@code millis}. */
    record Slow(long millis) implements Fault {
    }

    /** A 200 {@code application/json} whose body is not JSON. */
    record Garbage() implements Fault {
    }

    /**
     * A 200 event stream that sends {@code chunks} events and closes without {@code [DONE]} (a request that is not
     * a stream gets its JSON body cut at the same place: half of it).
     */
    record StreamCut(int chunks) implements Fault {
    }

    static final Fault HEALTHY = new Healthy();

    private final int port;
    private volatile ServerSocket server;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicInteger chats = new AtomicInteger();
    private final AtomicInteger listings = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicReference<Function<String, Fault>> policy = new AtomicReference<>(body -> HEALTHY);
    private final AtomicReference<List<String>> models = new AtomicReference<>(List.of("m"));

    FaultUpstream() throws IOException {
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        port = server.getLocalPort();
        ServerSocket s = server;
        Thread.ofPlatform().daemon().name("fault-upstream").start(() -> accept(s));
    }

    /** Stops listening: connections are refused (as a provider whose host is down) until {@link #up()}. */
    synchronized FaultUpstream down() throws IOException {
        server.close();
        return this;
    }

    /** Listens again on the same port after {@link #down()}. */
    synchronized FaultUpstream up() throws IOException {
        if (server.isClosed()) {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            server = s;
            Thread.ofPlatform().daemon().name("fault-upstream").start(() -> accept(s));
        }
        return this;
    }

    /** {@code http://127.0.0.1:PORT/v1}. */
    String baseUrl() {
        return "http://127.0.0.1:" + port + "/v1";
    }

    /** How each next chat request is answered, from its body. */
    FaultUpstream policy(Function<String, Fault> p) {
        policy.set(Objects.requireNonNull(p));
        return this;
    }

    /** Every next chat request gets {@code f}. */
    FaultUpstream always(Fault f) {
        return policy(body -> f);
    }

    /** The model ids {@code GET /v1/models} lists. */
    FaultUpstream models(List<String> ids) {
        models.set(List.copyOf(ids));
        return this;
    }

    /** Chat requests received. */
    int chats() {
        return chats.get();
    }

    /** Model listings served. */
    int listings() {
        return listings.get();
    }

    private void accept(ServerSocket server) {
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
            InputStream in = new BufferedInputStream(s.getInputStream());
            String head = readHead(in);
            if (head == null) {
                return;
            }
            byte[] body = in.readNBytes(contentLength(head));
            OutputStream out = s.getOutputStream();
            if (head.startsWith("GET ") && head.contains("/models")) {
                listings.incrementAndGet();
                StringBuilder data = new StringBuilder();
                for (String id : models.get()) {
                    data.append(data.isEmpty() ? "" : ",").append("{\"id\":\"").append(id)
                            .append("\",\"object\":\"model\",\"created\":1,\"owned_by\":\"up\"}");
                }
                write(out, 200, "application/json", "", "{\"object\":\"list\",\"data\":[" + data + "]}");
                return;
            }
            chats.incrementAndGet();
            String text = new String(body, StandardCharsets.UTF_8);
            boolean stream = text.replace(" ", "").contains("\"stream\":true");
            boolean usage = text.replace(" ", "").contains("\"include_usage\":true");
            switch (policy.get().apply(text)) {
                case Healthy h -> healthy(out, stream, usage);
                case Slow w -> {
                    Thread.sleep(w.millis());
                    healthy(out, stream, usage);
                }
                case Status st -> {
                    StringBuilder extra = new StringBuilder();
                    for (int i = 0; i + 1 < st.headers().length; i += 2) {
                        extra.append(st.headers()[i]).append(": ").append(st.headers()[i + 1]).append("\r\n");
                    }
                    write(out, st.status(), "application/json", extra.toString(), "{\"error\":{\"message\":"
                            + "\"injected\",\"type\":\"server_error\",\"param\":null,\"code\":null}}");
                }
                case ResetMidBody r -> {
                    String full = completionJson();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                            + full.length() + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(full.substring(0, full.length() / 2).getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    s.setSoLinger(true, 0); // close() now sends RST
                }
                case Hang h -> closed.await();
                case Garbage g -> write(out, 200, "application/json", "", "<html>502 Bad Gateway</html>");
                case StreamCut c -> {
                    if (!stream) {
                        String full = completionJson();
                        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                                + full.length() + "\r\nConnection: close\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        out.write(full.substring(0, full.length() / 2).getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        return; // closed short of its length
                    }
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
                            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    for (int i = 0; i < c.chunks(); i++) {
                        chunk(out, "data: " + chunkJson(i == 0 ? "Hel" : "lo") + "\n\n");
                    }
                    out.flush();
                }
            }
        } catch (IOException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(s);
        }
    }

    private static void healthy(OutputStream out, boolean stream, boolean usage) throws IOException {
        if (!stream) {
            write(out, 200, "application/json", "", completionJson());
            return;
        }
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        chunk(out, "data: " + chunkJson("Hel") + "\n\n");
        chunk(out, "data: " + chunkJson("lo!") + "\n\n");
        if (usage) {
            chunk(out, "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1741570283,"
                    + "\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,"
                    + "\"total_tokens\":12}}\n\n");
        }
        chunk(out, "data: [DONE]\n\n");
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** The completion every healthy non-streamed request gets: usage 9 prompt + 3 completion tokens. */
    static String completionJson() {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1741570283,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello!\"},"
                + "\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":9,"
                + "\"completion_tokens\":3,\"total_tokens\":12}}";
    }

    private static String chunkJson(String content) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1741570283,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},\"logprobs\":null,"
                + "\"finish_reason\":null}]}";
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

    private static String readHead(InputStream in) throws IOException {
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
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                return Integer.parseInt(line.substring(colon + 1).trim());
            }
        }
        return 0;
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
