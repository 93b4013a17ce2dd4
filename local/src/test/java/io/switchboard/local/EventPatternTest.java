package io.switchboard.local;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The local bus's pattern matching, on the examples of EventBridge's "Event patterns" documentation. */
class EventPatternTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The documentation's sample event (an EC2 instance state change). */
    private static final String EVENT = """
            {"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
             "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
             "account": "111122223333", "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
             "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
             "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated", "c-count": 5, "d-count": 3,
                        "x-limit": 301.8, "source-ip": "10.0.0.123", "name": "Alice", "nothing": null,
                        "tags": ["prod", "web"], "location": {"city": "Seattle"}}}""";

    private static boolean matches(String pattern) throws Exception {
        return EventPattern.matches(JSON.readTree(pattern), JSON.readTree(EVENT));
    }

    @Test
    void exactValues_andNestedFields() throws Exception {
        assertTrue(matches("{\"source\": [\"aws.ec2\"]}"));
        assertTrue(matches("{\"source\": [\"aws.s3\", \"aws.ec2\"], \"detail\": {\"state\": [\"terminated\"]}}"));
        assertFalse(matches("{\"source\": [\"aws.s3\"]}"));
        assertFalse(matches("{\"detail\": {\"state\": [\"running\"]}}"));
        assertTrue(matches("{\"detail\": {\"location\": {\"city\": [\"Seattle\"]}}}"));
        assertFalse(matches("{\"detail\": {\"location\": {\"city\": [\"Boston\"]}}}"));
        assertFalse(matches("{\"detail\": {\"missing\": [\"x\"]}}"), "a field the event lacks never matches a value");
        assertTrue(matches("{\"detail\": {\"nothing\": [null]}}"), "null matches null");
        assertTrue(matches("{\"detail\": {\"c-count\": [5]}}"), "numbers compare as numbers");
        assertTrue(matches("{\"detail\": {\"tags\": [\"web\"]}}"), "an array matches when any element does");
        assertTrue(matches("{}"), "an empty pattern matches everything");
    }

    @Test
    void prefixSuffixAndIgnoreCase() throws Exception {
        assertTrue(matches("{\"time\": [{\"prefix\": \"2017-12-22\"}]}"));
        assertFalse(matches("{\"time\": [{\"prefix\": \"2018\"}]}"));
        assertTrue(matches("{\"detail\": {\"instance-id\": [{\"suffix\": \"cdef0\"}]}}"));
        assertTrue(matches("{\"detail\": {\"name\": [{\"equals-ignore-case\": \"alice\"}]}}"));
        assertTrue(matches("{\"detail\": {\"name\": [{\"prefix\": {\"equals-ignore-case\": \"AL\"}}]}}"));
        assertFalse(matches("{\"detail\": {\"c-count\": [{\"prefix\": \"5\"}]}}"), "prefix matches strings only");
        assertTrue(matches("{\"detail\": {\"source-ip\": [{\"wildcard\": \"10.0.*.123\"}]}}"));
    }

    @Test
    void anythingBut() throws Exception {
        assertTrue(matches("{\"detail\": {\"state\": [{\"anything-but\": \"initializing\"}]}}"));
        assertFalse(matches("{\"detail\": {\"state\": [{\"anything-but\": \"terminated\"}]}}"));
        assertFalse(matches("{\"detail\": {\"state\": [{\"anything-but\": [\"stopped\", \"terminated\"]}]}}"));
        assertTrue(matches("{\"detail\": {\"c-count\": [{\"anything-but\": [1, 2, 3]}]}}"));
        assertFalse(matches("{\"detail\": {\"state\": [{\"anything-but\": {\"prefix\": \"term\"}}]}}"));
        assertTrue(matches("{\"detail\": {\"state\": [{\"anything-but\": {\"suffix\": \"ing\"}}]}}"));
        assertFalse(matches("{\"detail\": {\"missing\": [{\"anything-but\": \"x\"}]}}"),
                "anything-but needs the field to be there");
    }

    @Test
    void numericRanges() throws Exception {
        assertTrue(matches("{\"detail\": {\"c-count\": [{\"numeric\": [\">\", 0, \"<=\", 5]}]}}"));
        assertFalse(matches("{\"detail\": {\"c-count\": [{\"numeric\": [\">\", 5]}]}}"));
        assertTrue(matches("{\"detail\": {\"d-count\": [{\"numeric\": [\"<\", 10]}], "
                + "\"x-limit\": [{\"numeric\": [\"=\", 301.8]}]}}"));
        assertFalse(matches("{\"detail\": {\"name\": [{\"numeric\": [\">\", 0]}]}}"), "numeric matches numbers only");
    }

    @Test
    void existsAndOr() throws Exception {
        assertTrue(matches("{\"detail\": {\"state\": [{\"exists\": true}]}}"));
        assertFalse(matches("{\"detail\": {\"state\": [{\"exists\": false}]}}"));
        assertTrue(matches("{\"detail\": {\"missing\": [{\"exists\": false}]}}"));
        assertFalse(matches("{\"detail\": {\"missing\": [{\"exists\": true}]}}"));
        assertTrue(matches("{\"$or\": [{\"source\": [\"aws.s3\"]}, {\"detail\": {\"c-count\": [5]}}]}"));
        assertFalse(matches("{\"$or\": [{\"source\": [\"aws.s3\"]}, {\"detail\": {\"c-count\": [6]}}]}"));
    }

    @Test
    void templatesOwnRules() throws Exception {
        JsonNode changed = JSON.readTree("{\"source\": \"io.switchboard.discovery\", \"detail-type\": "
                + "\"ModelCatalogChanged\", \"detail\": {}}");
        for (EventSources.Rule rule : SamTemplate.read(Project.template(), java.util.Map.of(), true).eventSources()
                .rules()) {
            boolean match = EventPattern.matches(rule.pattern(), changed);
            assertTrue(match == rule.name().equals("CatalogChanged"), rule.name() + " " + rule.pattern());
        }
    }
}
