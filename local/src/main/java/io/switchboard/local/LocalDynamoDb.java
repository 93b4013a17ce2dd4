package io.switchboard.local;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;

/**
 * The template's DynamoDB tables, locally: DynamoDB Local (Maven Central, no Docker) on a loopback port, in this
 * JVM, its data in a folder that outlives restarts ({@code .switchboard/dynamodb} by default) or in memory; every
 * {@code AWS::DynamoDB::Table} of the template is created from its key schema, attributes and global secondary
 * indexes if it does not exist yet. Functions find it through {@code AWS_ENDPOINT_URL_DYNAMODB}.
 */
final class LocalDynamoDb implements AutoCloseable {
    private final int port;
    private final java.util.concurrent.CompletableFuture<DynamoDBProxyServer> server;
    private Path folder;
    private List<EventSources.Table> tables;
    private DynamoDBProxyServer restarted;

    private LocalDynamoDb(int port, java.util.concurrent.CompletableFuture<DynamoDBProxyServer> server) {
        this.port = port;
        this.server = server;
    }

    /**
     * Starts DynamoDB Local with data in {@code folder} (null: in memory) and creates {@code tables}, in the
     * background: the port is known at once (for the functions' endpoint), {@link #ready()} completes once the tables
     * exist. Until then table calls are refused, which the functions treat as the table being down (the catalog
     * falls back to the bundled configuration).
     */
    static LocalDynamoDb start(Path folder, List<EventSources.Table> tables) throws IOException {
        nativeLibraries();
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        java.util.concurrent.CompletableFuture<DynamoDBProxyServer> started = new java.util.concurrent
                .CompletableFuture<>();
        LocalDynamoDb db = new LocalDynamoDb(port, started);
        db.folder = folder;
        db.tables = List.copyOf(tables);
        Thread.ofPlatform().daemon().name("dynamodb-local-start").start(() -> {
            try {
                started.complete(db.launch(folder, tables));
            } catch (Throwable t) {
                System.err.println("local run: DynamoDB Local did not start: " + t);
                started.completeExceptionally(t);
            }
        });
        return db;
    }

    /** Completes when the tables exist. */
    java.util.concurrent.CompletableFuture<?> ready() {
        return server;
    }

    private DynamoDBProxyServer launch(Path folder, List<EventSources.Table> tables) throws Exception {
        List<String> args = new ArrayList<>(List.of("-port", Integer.toString(port), "-disableTelemetry"));
        // -sharedDb: one database whatever the caller's credentials (DynamoDB Local otherwise keeps one per access
        // key id and region, so tables made with "local" would be missing to functions given the caller's own
        // AWS_ACCESS_KEY_ID, as for a Bedrock provider)
        if (folder == null) {
            args.addAll(List.of("-inMemory", "-sharedDb"));
        } else {
            Files.createDirectories(folder);
            args.addAll(List.of("-dbPath", folder.toAbsolutePath().toString(), "-sharedDb"));
        }
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args.toArray(String[]::new));
        boundThreads(proxy);
        proxy.start();
        try (DynamoDbClient c = client()) {
            for (EventSources.Table t : tables) {
                create(c, t);
            }
        }
        return proxy;
    }

    /**
     * At most {@link #MAX_THREADS} server threads, idle ones gone after 5 s. DynamoDB Local makes its Jetty server
     * with Jetty's default pool (up to 200 threads, kept 60 s), and no option to change it: under the harness's load
     * eight environments' key lookups and spend writes grew it to about 70 threads, each with its stack and its own
     * malloc arena — several MB of the local run's resident memory for a table a handful of environments use. The pool
     * is reached through the proxy's private field; if that ever fails, the default pool stays (only memory differs).
     */
    private static void boundThreads(DynamoDBProxyServer proxy) {
        try {
            java.lang.reflect.Field f = DynamoDBProxyServer.class.getDeclaredField("server");
            f.setAccessible(true);
            Object server = f.get(proxy);
            if (server instanceof org.eclipse.jetty.server.Server jetty
                    && jetty.getThreadPool() instanceof org.eclipse.jetty.util.thread.QueuedThreadPool pool) {
                pool.setMaxThreads(MAX_THREADS);
                pool.setMinThreads(2);
                pool.setIdleTimeout(5_000);
                pool.setReservedThreads(0);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // the default pool: more threads, same behaviour
        }
    }

    /** DynamoDB Local's server threads at most (acceptor and selectors included). */
    static final int MAX_THREADS = 12;

    /** sqlite4java's natives, copied next to the local runner's jar by the build. */
    private static void nativeLibraries() {
        if (System.getProperty("sqlite4java.library.path") != null) {
            return;
        }
        try {
            Path jar = Path.of(LocalDynamoDb.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path natives = (Files.isDirectory(jar) ? jar.getParent() : jar.getParent()).resolve("native-libs");
            if (Files.isDirectory(natives)) {
                System.setProperty("sqlite4java.library.path", natives.toString());
            }
        } catch (Exception e) {
            // DynamoDB Local says what it misses
        }
    }

    /** {@code http://127.0.0.1:port}. */
    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** A client of this server. */
    DynamoDbClient client() {
        return DynamoDbClient.builder().endpointOverride(endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(10)).build())
                .build();
    }

    private void create(DynamoDbClient c, EventSources.Table t) {
        JsonNode p = t.properties();
        CreateTableRequest.Builder b = CreateTableRequest.builder().tableName(t.name())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(keys(p.path("KeySchema")))
                .attributeDefinitions(attributes(p.path("AttributeDefinitions")));
        List<GlobalSecondaryIndex> gsis = new ArrayList<>();
        for (JsonNode g : p.path("GlobalSecondaryIndexes")) {
            gsis.add(GlobalSecondaryIndex.builder().indexName(g.path("IndexName").asText())
                    .keySchema(keys(g.path("KeySchema")))
                    .projection(Projection.builder().projectionType(g.path("Projection").path("ProjectionType")
                            .asText("ALL")).build()).build());
        }
        if (!gsis.isEmpty()) {
            b.globalSecondaryIndexes(gsis);
        }
        try {
            c.createTable(b.build());
        } catch (ResourceInUseException exists) {
            // kept from an earlier run
        }
    }

    private static List<KeySchemaElement> keys(JsonNode schema) {
        List<KeySchemaElement> out = new ArrayList<>();
        for (JsonNode k : schema) {
            out.add(KeySchemaElement.builder().attributeName(k.path("AttributeName").asText())
                    .keyType(k.path("KeyType").asText()).build());
        }
        return out;
    }

    private static List<AttributeDefinition> attributes(JsonNode defs) {
        List<AttributeDefinition> out = new ArrayList<>();
        for (JsonNode a : defs) {
            out.add(AttributeDefinition.builder().attributeName(a.path("AttributeName").asText())
                    .attributeType(a.path("AttributeType").asText()).build());
        }
        return out;
    }

    /**
     * Stops the server as an outage would (fault runs): calls to its port are refused until {@link #restart()}.
     * Only a server on disk keeps its tables across the two.
     */
    synchronized void stop() throws Exception {
        current().stop();
    }

    /** Starts the server again on the same port and folder after {@link #stop()}. */
    synchronized void restart() throws Exception {
        restarted = launch(folder, tables);
    }

    private DynamoDBProxyServer current() throws Exception {
        return restarted != null ? restarted : server.get(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            current().stop();
        } catch (java.util.concurrent.ExecutionException e) {
            // it never started
        } catch (Exception e) {
            throw new IOException(e);
        }
    }
}
