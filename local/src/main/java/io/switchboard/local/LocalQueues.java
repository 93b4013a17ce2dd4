package io.switchboard.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The template's SQS queues as the local run needs them: dead-letter queues that keep what failed, inspectable at
 * {@code GET /_local/queues/{name}} and, with a data folder, appended to {@code queues/{name}.jsonl} there.
 */
final class LocalQueues {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One message as SQS would hold it: the body and the attributes Lambda and EventBridge add to dead letters. */
    record Message(String body, Map<String, String> attributes, Instant sentAt) {
    }

    private final Map<String, List<Message>> queues = new ConcurrentHashMap<>();
    private final Path folder;

    /** Queues named {@code names}; {@code folder} null keeps them in memory only. */
    LocalQueues(List<String> names, Path folder) {
        names.forEach(n -> queues.put(n, java.util.Collections.synchronizedList(new ArrayList<>())));
        this.folder = folder;
    }

    /** Whether a queue of that name exists. */
    boolean exists(String name) {
        return queues.containsKey(name);
    }

    /** Sends {@code body} to {@code queue} (a queue the template does not declare is created, as a warning says). */
    void send(String queue, String body, Map<String, String> attributes) {
        Message m = new Message(body, Map.copyOf(attributes), Instant.now());
        queues.computeIfAbsent(queue, q -> {
            System.err.println("local run: queue " + q + " is not in the template; keeping its messages anyway");
            return java.util.Collections.synchronizedList(new ArrayList<>());
        }).add(m);
        if (folder != null) {
            try {
                Path f = folder.resolve("queues").resolve(queue + ".jsonl");
                Files.createDirectories(f.getParent());
                Files.writeString(f, JSON.writeValueAsString(json(m)) + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                System.err.println("local run: could not append to the queue file of " + queue + ": " + e);
            }
        }
    }

    /** The queues' names. */
    java.util.Set<String> names() {
        return java.util.Set.copyOf(queues.keySet());
    }

    /** The messages of {@code queue} so far (empty for an unknown queue). */
    List<Message> messages(String queue) {
        List<Message> q = queues.get(queue);
        if (q == null) {
            return List.of();
        }
        synchronized (q) {
            return List.copyOf(q);
        }
    }

    /** {@code {"queue": name, "messages": [...]}}. */
    byte[] describe(String queue) throws IOException {
        ObjectNode out = JSON.createObjectNode();
        out.put("queue", queue);
        ArrayNode arr = out.putArray("messages");
        for (Message m : messages(queue)) {
            arr.add(json(m));
        }
        return JSON.writeValueAsBytes(out);
    }

    private static ObjectNode json(Message m) {
        ObjectNode n = JSON.createObjectNode();
        n.put("sentAt", m.sentAt().toString());
        ObjectNode a = n.putObject("attributes");
        m.attributes().forEach(a::put);
        n.put("body", m.body());
        return n;
    }
}
