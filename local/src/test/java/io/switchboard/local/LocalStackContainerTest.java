package io.switchboard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The main flows against LocalStack (needs a Docker engine; skipped, saying why, where none runs — as on our build
 * machines, where {@link LocalStackTest} runs the same flows against the local run's own emulation). The template's
 * table, bus and rules are created in LocalStack; the functions run in this JVM through the local run with their
 * endpoints pointed at LocalStack: discovery writes the catalog and publishes {@code ModelCatalogChanged}, the
 * template's rule delivers it (to an SQS target standing in for the invalidation function, whose handler the test
 * then invokes with the delivered event), and {@code /v1/models} and a chat completion are served.
 * Run it where Docker runs: {@code mvn -pl local -am test -Dtest=LocalStackContainerTest}.
 */
class LocalStackContainerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalStackContainer localstack;

    private static void start() {
        boolean docker;
        try {
            docker = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | Error e) {
            docker = false;
        }
        assumeTrue(docker, "no Docker engine: LocalStack cannot run here (LocalStackTest covers these flows "
                + "against the local run's emulation)");
        localstack = new LocalStackContainer(DockerImageName.parse("localstack/localstack:4.4"))
                .withServices(LocalStackContainer.Service.DYNAMODB, LocalStackContainer.Service.SQS,
                        LocalStackContainer.Service.valueOf("CLOUDWATCHEVENTS"));
        localstack.start();
    }

    @AfterAll
    static void stop() {
        if (localstack != null) {
            localstack.stop();
        }
    }

    private static <B extends software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, ?>> B aws(B b) {
        return b.endpointOverride(localstack.getEndpoint()).region(Region.of(localstack.getRegion()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        localstack.getAccessKey(), localstack.getSecretKey())));
    }

    @Test
    void templateResourcesOnLocalStack_discoveryModelsChatAndTheCatalogRule() throws Exception {
        start();
        SamTemplate t = SamTemplate.read(Project.template(), Map.of(), true);
        EventSources.All sources = t.eventSources();
        try (DynamoDbClient ddb = aws(DynamoDbClient.builder()).httpClient(UrlConnectionHttpClient.create()).build();
                EventBridgeClient events = aws(EventBridgeClient.builder())
                        .httpClient(UrlConnectionHttpClient.create()).build();
                SqsClient sqs = aws(SqsClient.builder()).httpClient(UrlConnectionHttpClient.create()).build()) {
            for (EventSources.Table table : sources.tables()) {
                ddb.createTable(c -> c.tableName(table.name()).billingMode(BillingMode.PAY_PER_REQUEST)
                        .keySchema(KeySchemaElement.builder().attributeName("pk").keyType("HASH").build(),
                                KeySchemaElement.builder().attributeName("sk").keyType("RANGE").build())
                        .attributeDefinitions(AttributeDefinition.builder().attributeName("pk").attributeType("S")
                                .build(), AttributeDefinition.builder().attributeName("sk").attributeType("S")
                                .build()));
            }
            for (String bus : sources.buses()) {
                events.createEventBus(b -> b.name(bus));
            }
            String queueUrl = sqs.createQueue(q -> q.queueName("invalidation-target")).queueUrl();
            String queueArn = sqs.getQueueAttributes(a -> a.queueUrl(queueUrl).attributeNamesWithStrings("QueueArn"))
                    .attributesAsStrings().get("QueueArn");
            for (EventSources.Rule rule : sources.rules()) {
                events.putRule(r -> r.name(rule.name()).eventBusName(rule.bus())
                        .eventPattern(rule.pattern().toString()));
                events.putTargets(p -> p.rule(rule.name()).eventBusName(rule.bus())
                        .targets(tg -> tg.id("to-sqs").arn(queueArn)));
            }

            Map<String, String> env = new HashMap<>();
            env.put("AWS_ENDPOINT_URL_DYNAMODB", localstack.getEndpoint().toString());
            env.put("AWS_ENDPOINT_URL_EVENTBRIDGE", localstack.getEndpoint().toString());
            env.put("AWS_ACCESS_KEY_ID", localstack.getAccessKey());
            env.put("AWS_SECRET_ACCESS_KEY", localstack.getSecretKey());
            env.put("AWS_REGION", localstack.getRegion());
            env.put("SWITCHBOARD_CACHE", "off");
            env.put("SWITCHBOARD_METRICS", "off");
            // the tables and the bus are LocalStack's: the local run resolves their names but emulates nothing
            LocalOptions resolveOnly = new LocalOptions(true, LocalOptions.DynamoDbMode.OFF, false, false, 1,
                    Duration.ofSeconds(1), null);
            try (LocalGateway g = LocalGateway.start(Project.template(), 0, env, Map.of(), resolveOnly, o -> { })) {
                JsonNode report = JSON.readTree(g.invoke("DiscoveryFunction",
                        Files.readAllBytes(Project.dir().resolve("events/discovery-on-demand.json"))));
                assertTrue(report.path("changed").asBoolean(), report.toString());

                List<Message> delivered = List.of();
                long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (delivered.isEmpty() && System.nanoTime() < until) {
                    delivered = sqs.receiveMessage(r -> r.queueUrl(queueUrl).waitTimeSeconds(2)).messages();
                }
                assertEquals(1, delivered.size(), "ModelCatalogChanged reached the CatalogChanged rule's target");
                byte[] result = g.invoke("InvalidationFunction", delivered.get(0).body()
                        .getBytes(StandardCharsets.UTF_8));
                assertTrue(new String(result, StandardCharsets.UTF_8).contains("ModelCatalogChanged"));

                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + g.port() + "/v1/models")).header("authorization", "Bearer "
                        + LocalGateway.DEFAULT_DEV_KEY).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, models.statusCode(), models.body());
                assertTrue(Long.parseLong(models.headers().firstValue("x-switchboard-catalog-generation")
                        .orElse("0")) >= 1, "served from the table in LocalStack");
                HttpResponse<String> chat = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + g.port() + "/v1/chat/completions")).header("authorization", "Bearer "
                        + LocalGateway.DEFAULT_DEV_KEY).header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"fast\",\"messages\":[{\"role\":"
                                + "\"user\",\"content\":\"hi\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, chat.statusCode(), chat.body());
            }
        }
    }
}
