package io.switchboard.core.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.aws.AwsClients;
import io.switchboard.core.catalog.internal.EventBridgePublisher;
import io.switchboard.shared.catalog.CatalogJson;
import io.switchboard.shared.catalog.ModelCatalogChanged;
import io.switchboard.shared.catalog.ModelRef;
import io.switchboard.shared.json.Json;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * {@code ModelCatalogChanged} through EventBridge's {@code PutEvents} against {@code moto_server} on loopback: a rule
 * on the bus forwards it to an SQS queue, where the test reads it back. Skipped when moto_server is not installed.
 */
class EventBridgePublisherTest {
    private static Process moto;
    private static URI endpoint;

    @BeforeAll
    static void startMoto() throws Exception {
        String path = System.getenv().getOrDefault("PATH", "");
        boolean present = false;
        for (String dir : path.split(File.pathSeparator)) {
            present |= new File(dir, "moto_server").canExecute();
        }
        if ("true".equals(System.getenv("CI")) && !present) {
            throw new IllegalStateException("moto_server is missing although .ci/run installs it");
        }
        assumeTrue(present, "moto_server is not on PATH (.ci/run installs it)");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("AWS_PROFILE"); // the tests' deliberately missing profile would break botocore
        moto = pb.start();
        endpoint = URI.create("http://127.0.0.1:" + port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
                break;
            } catch (java.io.IOException notYet) {
                assumeTrue(moto.isAlive() && System.nanoTime() < deadline, "moto_server did not start");
                Thread.sleep(100);
            }
        }
    }

    @AfterAll
    static void stopMoto() throws Exception {
        if (moto != null) {
            moto.destroy();
            moto.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static ModelCatalogChanged event() {
        return new ModelCatalogChanged(3, 2, List.of(new ModelRef("openai/gpt-4.1", ModelRef.Kind.MODEL, "openai",
                "gpt-4.1")), List.of(), List.of(), List.of("slow"), Instant.parse("2026-01-01T00:00:00Z"), false);
    }

    @Test
    void publish_toBusWithRule_arrivesAsModelCatalogChangedDetail() throws Exception {
        try (EventBridgeClient events = AwsClients.eventBridge("us-east-1", endpoint, Duration.ofSeconds(10));
             SqsClient sqs = SqsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                     .httpClient(UrlConnectionHttpClient.create())
                     .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                     .build()) {
            events.createEventBus(b -> b.name("switchboard-catalog"));
            String queueUrl = sqs.createQueue(b -> b.queueName("catalog-changes")).queueUrl();
            String queueArn = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl)
                    .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
            events.putRule(b -> b.name("catalog-changed").eventBusName("switchboard-catalog")
                    .eventPattern("{\"source\":[\"" + ModelCatalogChanged.SOURCE + "\"],\"detail-type\":[\""
                            + ModelCatalogChanged.DETAIL_TYPE + "\"]}"));
            events.putTargets(b -> b.rule("catalog-changed").eventBusName("switchboard-catalog")
                    .targets(t -> t.id("queue").arn(queueArn)));

            new EventBridgePublisher(() -> events, "switchboard-catalog").publish(event());

            List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl).waitTimeSeconds(5)
                    .maxNumberOfMessages(1)).messages();
            assertEquals(1, messages.size());
            JsonNode envelope = Json.MAPPER.readTree(messages.get(0).body());
            assertEquals(ModelCatalogChanged.SOURCE, envelope.path("source").asText());
            assertEquals(ModelCatalogChanged.DETAIL_TYPE, envelope.path("detail-type").asText());
            ModelCatalogChanged back = CatalogJson.readChanged(Json.MAPPER.writeValueAsBytes(envelope.path("detail")));
            assertEquals(event(), back);
        }
    }

    @Test
    void publish_unknownBus_throws() {
        try (EventBridgeClient events = AwsClients.eventBridge("us-east-1", endpoint, Duration.ofSeconds(10))) {
            assertThrows(RuntimeException.class,
                    () -> new EventBridgePublisher(() -> events, "no-such-bus").publish(event()));
        }
    }
}
