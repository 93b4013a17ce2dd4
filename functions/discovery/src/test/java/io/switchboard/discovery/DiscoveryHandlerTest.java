package io.switchboard.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.catalog.testing.DynamoDbLocal;
import io.switchboard.core.catalog.testing.FakeProviders;
import io.switchboard.shared.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The discovery function on the schedule's and the on-demand event fixtures. */
class DiscoveryHandlerTest {
    private static DynamoDbLocal dynamo;
    private static FakeProviders fakes;

    @BeforeAll
    static void start() throws Exception {
        dynamo = DynamoDbLocal.start();
        fakes = FakeProviders.start();
    }

    @AfterAll
    static void stop() throws Exception {
        fakes.close();
        dynamo.close();
    }

    private static JsonNode invoke(DiscoveryHandler h, String event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = DiscoveryHandlerTest.class.getResourceAsStream("/events/" + event)) {
            h.handleRequest(in, out, null);
        }
        return Json.MAPPER.readTree(out.toByteArray());
    }

    @Test
    void handleRequest_onDemandThenScheduled_secondRunWritesNothing() throws IOException {
        Map<String, String> env = Env.of(dynamo, dynamo.newTable(), fakes);
        DiscoveryHandler handler = new DiscoveryHandler(env);
        JsonNode first = invoke(handler, "discovery-on-demand.json");
        assertTrue(first.path("changed").asBoolean());
        assertEquals(1, first.path("generation").asLong());
        assertTrue(first.path("writes").asInt() > 0);
        assertEquals(2, first.path("listed").path("openai").asInt());
        assertEquals(1, first.path("listed").path("mock").asInt());

        JsonNode second = invoke(handler, "discovery-scheduled.json");
        assertFalse(second.path("changed").asBoolean());
        assertEquals(0, second.path("writes").asInt());
        assertFalse(second.path("published").asBoolean());
        assertEquals(1, second.path("generation").asLong());
    }

    @Test
    void handleRequest_noTable_failsTheInvocation() {
        DiscoveryHandler handler = new DiscoveryHandler(Env.of(dynamo, null, fakes));
        try {
            invoke(handler, "discovery-scheduled.json");
            throw new AssertionError("expected a failure");
        } catch (IllegalStateException | IOException expected) {
            assertTrue(expected.getMessage().contains("SWITCHBOARD_CATALOG_TABLE"));
        }
    }
}
