package io.switchboard.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;

/**
 * The template's EventBridge buses, locally: an endpoint speaking EventBridge's {@code PutEvents} (AWS JSON 1.1, as the
 * SDK sends it; functions find it through {@code AWS_ENDPOINT_URL_EVENTBRIDGE}); each entry becomes an event with
 * EventBridge's envelope, is matched against the rules of its bus ({@link EventPattern}), and is delivered to each
 * matching rule's function as an asynchronous invocation ({@link AsyncInvoker}: retries, then the function's
 * dead-letter queue). A rule whose target cannot be invoked sends the event to the rule's own dead-letter queue.
 */
final class LocalEventBus implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<EventSources.Rule> rules;
    private final List<String> buses;
    private volatile AsyncInvoker invoker;
    private final LocalQueues queues;
    private final String region;
    private final String account;
    private final HttpServer server;

    private LocalEventBus(List<String> buses, List<EventSources.Rule> rules, AsyncInvoker invoker, LocalQueues queues,
            String region, String account, HttpServer server) {
        this.buses = buses;
        this.rules = rules;
        this.invoker = invoker;
        this.queues = queues;
        this.region = region;
        this.account = account;
        this.server = server;
    }

    /** Starts the endpoint on a free loopback port; events are delivered once {@link #deliverTo} was called. */
    static LocalEventBus start(List<String> buses, List<EventSources.Rule> rules, LocalQueues queues, String region)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        LocalEventBus bus = new LocalEventBus(buses, rules, null, queues, region, "123456789012", server);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", bus::serve);
        server.start();
        return bus;
    }

    /** Where matching events go (the functions' pools exist only once the bus's endpoint is known). */
    void deliverTo(AsyncInvoker asyncInvoker) {
        this.invoker = asyncInvoker;
    }

    /** {@code http://127.0.0.1:port}, for {@code AWS_ENDPOINT_URL_EVENTBRIDGE}. */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            String target = ex.getRequestHeaders().getFirst("x-amz-target");
            byte[] body = ex.getRequestBody().readAllBytes();
            if (!"AWSEvents.PutEvents".equals(target)) {
                send(ex, 400, "{\"__type\":\"UnknownOperationException\",\"message\":\"The local bus serves "
                        + "PutEvents only\"}");
                return;
            }
            JsonNode request = JSON.readTree(body);
            send(ex, 200, JSON.writeValueAsString(put(request.path("Entries"))));
        } catch (RuntimeException e) {
            send(ex, 400, "{\"__type\":\"ValidationException\",\"message\":\"" + e.getClass().getSimpleName() + "\"}");
        }
    }

    /** Puts the entries; answers as PutEvents does (an id per accepted entry, an error per refused one). */
    ObjectNode put(JsonNode entries) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode results = out.putArray("Entries");
        int failed = 0;
        for (JsonNode e : entries) {
            String bus = busName(e.path("EventBusName").asText("default"));
            String source = e.path("Source").asText(null);
            String detailType = e.path("DetailType").asText(null);
            String detail = e.path("Detail").asText(null);
            JsonNode parsed = null;
            try {
                parsed = detail == null ? null : JSON.readTree(detail);
            } catch (IOException ignored) {
                // refused below
            }
            if (source == null || detailType == null || parsed == null || !parsed.isObject()) {
                failed++;
                results.addObject().put("ErrorCode", "MalformedDetail")
                        .put("ErrorMessage", "Source, DetailType and a JSON object Detail are required");
                continue;
            }
            if (!bus.equals("default") && !buses.contains(bus)) {
                failed++;
                results.addObject().put("ErrorCode", "ResourceNotFoundException")
                        .put("ErrorMessage", "Event bus " + bus + " does not exist.");
                continue;
            }
            String id = UUID.randomUUID().toString();
            ObjectNode event = JSON.createObjectNode();
            event.put("version", "0");
            event.put("id", id);
            event.put("detail-type", detailType);
            event.put("source", source);
            event.put("account", account);
            event.put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            event.put("region", region);
            ArrayNode resources = event.putArray("resources");
            e.path("Resources").forEach(resources::add);
            event.set("detail", parsed);
            deliver(bus, event);
            results.addObject().put("EventId", id);
        }
        out.put("FailedEntryCount", failed);
        return out;
    }

    private void deliver(String bus, ObjectNode event) {
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        for (EventSources.Rule rule : rules) {
            if (!rule.bus().equals(bus) || !EventPattern.matches(rule.pattern(), event)) {
                continue;
            }
            try {
                if (invoker == null) {
                    throw new IllegalStateException("the bus is not connected to the functions yet");
                }
                invoker.invoke(rule.function(), json);
            } catch (RuntimeException e) {
                if (rule.deadLetterQueue() != null) {
                    queues.send(rule.deadLetterQueue(), new String(json, StandardCharsets.UTF_8), Map.of(
                            "ERROR_CODE", "INVALID_TARGET", "RULE_ARN", "arn:aws:events:" + region + ":" + account
                                    + ":rule/" + bus + "/" + rule.name()));
                }
            }
        }
    }

    private static String busName(String nameOrArn) {
        int slash = nameOrArn.lastIndexOf('/');
        return nameOrArn.startsWith("arn:") && slash >= 0 ? nameOrArn.substring(slash + 1) : nameOrArn;
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("content-type", "application/x-amz-json-1.1");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
