package io.switchboard.core.catalog.testing;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import io.switchboard.core.catalog.internal.DynamoDbCatalogStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * DynamoDB Local, embedded in the test JVM as its HTTP server on a loopback port (in memory). Clients made here count
 * the write calls they send.
 */
public final class DynamoDbLocal implements AutoCloseable {
    private static final Set<String> WRITES = Set.of("PutItem", "DeleteItem", "UpdateItem", "BatchWriteItem",
            "TransactWriteItems");
    private static final AtomicInteger TABLES = new AtomicInteger();

    private final DynamoDBProxyServer server;
    private final int port;
    private final AtomicLong writeCalls = new AtomicLong();

    private DynamoDbLocal(DynamoDBProxyServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Starts an in-memory DynamoDB Local on a free loopback port. */
    public static DynamoDbLocal start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        DynamoDBProxyServer server = ServerRunner.createServerFromCommandLineArgs(
                new String[] {"-inMemory", "-port", Integer.toString(port), "-disableTelemetry"});
        server.start();
        return new DynamoDbLocal(server, port);
    }

    /** {@code http://127.0.0.1:port}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** A client of this server that counts its write calls in {@link #writeCalls()}. */
    public DynamoDbClient client() {
        return DynamoDbClient.builder().endpointOverride(endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(10)).build())
                .overrideConfiguration(c -> c.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                        String op = context.request().getClass().getSimpleName().replace("Request", "");
                        if (WRITES.contains(op)) {
                            writeCalls.incrementAndGet();
                        }
                    }
                }))
                .build();
    }

    /** A new, empty catalog table; returns its name. */
    public String newTable() {
        String name = "catalog-" + TABLES.incrementAndGet();
        try (DynamoDbClient c = client()) {
            DynamoDbCatalogStore.createTable(c, name);
        }
        return name;
    }

    /** Write calls sent by this server's clients (creating tables does not count). */
    public long writeCalls() {
        return writeCalls.get();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** A loopback URI where nothing listens, for "the table is down". */
    public static URI deadEndpoint() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort());
        }
    }
}
