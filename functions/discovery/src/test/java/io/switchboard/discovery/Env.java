package io.switchboard.discovery;

import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.catalog.testing.DynamoDbLocal;
import io.switchboard.core.catalog.testing.FakeProviders;
import java.util.HashMap;
import java.util.Map;

/** Function environments for the tests: the events' dev key, a mock and a fake OpenAI provider, a catalog table. */
final class Env {
    /** The key the {@code events/} fixtures send. */
    static final String DEV_KEY = "sk-switchboard-dev";

    private Env() {
    }

    static Map<String, String> of(DynamoDbLocal dynamo, String table, FakeProviders fakes) {
        Map<String, String> env = new HashMap<>();
        env.put("SWITCHBOARD_API_KEYS", "dev:" + Authenticator.sha256Hex(DEV_KEY));
        env.put("SWITCHBOARD_METRICS", "off");
        env.put("SWITCHBOARD_CONFIG", "{\"providers\":{\"mock\":{\"type\":\"mock\"},"
                + "\"openai\":{\"type\":\"openai\",\"baseUrl\":\"" + fakes.base("openai")
                + "\",\"apiKey\":\"env:FAKE_KEY\"}},\"models\":{\"fast\":\"mock/mock-1\"}}");
        env.put("FAKE_KEY", FakeProviders.KEY);
        if (table != null) {
            env.put("SWITCHBOARD_CATALOG_TABLE", table);
            env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint().toString());
        }
        return env;
    }
}
