package io.switchboard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** HTTP API route matching: exact paths, {@code {param}} segments and a greedy {@code {param+}}. */
class RouteTest {
    @Test
    void matches_exactPath_onlyThatPathAndMethod() {
        Route r = new Route("post", "/v1/chat/completions");
        assertTrue(r.matches("POST", "/v1/chat/completions"));
        assertFalse(r.matches("GET", "/v1/chat/completions"));
        assertFalse(r.matches("POST", "/v1/chat/completions/x"));
        assertEquals(Map.of(), r.pathParameters("/v1/chat/completions"));
    }

    @Test
    void pathParameters_singleSegment_decodedAndBounded() {
        Route r = new Route("GET", "/v1/models/{id}");
        assertEquals(Map.of("id", "gpt-4o"), r.pathParameters("/v1/models/gpt-4o"));
        assertEquals(Map.of("id", "openai/gpt-4o"), r.pathParameters("/v1/models/openai%2Fgpt-4o"));
        assertNull(r.pathParameters("/v1/models/openai/gpt-4o"));
        assertNull(r.pathParameters("/v1/models/"));
        assertNull(r.pathParameters("/v1/models"));
    }

    @Test
    void pathParameters_greedy_takesTheRest() {
        Route r = new Route("GET", "/v1/models/{id+}");
        assertEquals(Map.of("id+", "openai/gpt-4o"), r.pathParameters("/v1/models/openai/gpt-4o"));
        assertEquals(Map.of("id+", "fast"), r.pathParameters("/v1/models/fast"));
        assertNull(r.pathParameters("/v1/models/"));
        assertNull(r.pathParameters("/v1/models"));
        assertNull(r.pathParameters("/v2/models/x"));
    }
}
