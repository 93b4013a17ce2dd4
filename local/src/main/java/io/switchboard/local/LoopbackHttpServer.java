package io.switchboard.local;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The local run's HTTP/1.1 server, behind the JDK's {@code com.sun.net.httpserver} API so handlers are the same as
 * on the JDK's server: a platform thread per connection reads each request, runs the handler on that thread and
 * writes its answer, connection kept alive — no selector thread and no hand-off to an executor between the caller's
 * bytes and the handler, which is where the JDK's server spends most of its relay time on loopback
 * (docs/performance.md). Requests are parsed strictly (a malformed one is answered 400 and the connection closed);
 * responses are length-delimited or chunked as {@link com.sun.net.httpserver.HttpExchange#sendResponseHeaders} says;
 * {@code Expect: 100-continue} is answered before the handler runs. The executor set on it is not used.
 */
final class LoopbackHttpServer extends HttpServer {
    private final List<LoopbackContext> contexts = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private ServerSocket socket;
    private InetSocketAddress address;
    private int backlog;
    private Executor executor;
    private volatile boolean stopped;

    private LoopbackHttpServer() {
    }

    /** A server bound to {@code address}. */
    static LoopbackHttpServer open(InetSocketAddress address, int backlog) throws IOException {
        LoopbackHttpServer s = new LoopbackHttpServer();
        s.bind(address, backlog);
        return s;
    }

    @Override
    public void bind(InetSocketAddress addr, int backlog) throws IOException {
        this.address = addr;
        this.backlog = backlog;
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        ss.bind(addr, backlog <= 0 ? 256 : backlog);
        this.socket = ss;
    }

    @Override
    public void start() {
        // not a daemon: like the JDK server's dispatcher, it keeps the process alive until stop()
        Thread.ofPlatform().name("switchboard-local-http-accept").daemon(false).start(this::accept);
    }

    private void accept() {
        while (!stopped) {
            Socket s;
            try {
                s = socket.accept();
            } catch (IOException e) {
                if (stopped) {
                    return;
                }
                continue;
            }
            try {
                s.setTcpNoDelay(true);
            } catch (IOException e) {
                closeQuietly(s);
                continue;
            }
            connections.add(s);
            Thread.ofPlatform().name("switchboard-local-http").daemon().start(() -> {
                try {
                    new LoopbackConnection(this, s).serve();
                } finally {
                    connections.remove(s);
                    closeQuietly(s);
                }
            });
        }
    }

    /** The context whose path is the longest prefix of {@code path}, or null. */
    LoopbackContext context(String path) {
        LoopbackContext best = null;
        for (LoopbackContext c : contexts) {
            if (path.startsWith(c.getPath()) && (best == null || c.getPath().length() > best.getPath().length())) {
                best = c;
            }
        }
        return best;
    }

    @Override
    public void setExecutor(Executor executor) {
        this.executor = executor;
    }

    @Override
    public Executor getExecutor() {
        return executor;
    }

    @Override
    public void stop(int delay) {
        stopped = true;
        closeQuietly(socket);
        for (Socket s : new ArrayList<>(connections)) {
            closeQuietly(s);
        }
    }

    @Override
    public HttpContext createContext(String path, HttpHandler handler) {
        LoopbackContext c = new LoopbackContext(this, path, handler);
        for (LoopbackContext existing : contexts) {
            if (existing.getPath().equals(path)) {
                throw new IllegalArgumentException("a context for " + path + " exists");
            }
        }
        contexts.add(c);
        return c;
    }

    @Override
    public HttpContext createContext(String path) {
        return createContext(path, null);
    }

    @Override
    public void removeContext(String path) {
        if (!contexts.removeIf(c -> c.getPath().equals(path))) {
            throw new IllegalArgumentException("no context for " + path);
        }
    }

    @Override
    public void removeContext(HttpContext context) {
        contexts.remove(context);
    }

    @Override
    public InetSocketAddress getAddress() {
        return socket == null ? address : (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** The backlog the server was bound with. */
    int backlog() {
        return backlog;
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException ignored) {
            // closing
        }
    }
}
