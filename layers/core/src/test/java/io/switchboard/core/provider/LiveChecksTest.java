package io.switchboard.core.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.Ticker;
import io.switchboard.core.aws.BedrockRuntimeClients;
import io.switchboard.core.net.Http1Client;
import io.switchboard.core.provider.anthropic.AnthropicProvider;
import io.switchboard.core.provider.anthropic.FakeAnthropicServer;
import io.switchboard.core.provider.bedrock.BedrockProvider;
import io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime;
import io.switchboard.core.secrets.SecretResolver;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.config.ProviderType;
import io.switchboard.shared.config.SecretRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.opentest4j.AssertionFailedError;

/**
 * The opt-in {@code *IT} tests' guard rails, in the default build: the {@link LiveChecks} they run pass against the
 * loopback fakes answering as the real APIs do and fail on a wrong answer, each IT class needs the explicit
 * {@code SWITCHBOARD_IT=1} switch, and the default surefire run never includes {@code *IT} classes.
 */
class LiveChecksTest {
    private static final String TOOL_ARGS = "{\"city\":\"Paris\"}";

    @Test
    void anthropic_checksPassOnRealShapedAnswers_andFailOnAWrongOne() throws Exception {
        try (FakeAnthropicServer fake = FakeAnthropicServer.start(); Http1Client http = Http1Client.withDefaults()) {
            fake.respond(r -> r.stream()
                    ? FakeAnthropicServer.Reply.sse(FakeAnthropicServer.textStream(List.of("po", "ng"), "end_turn", 14,
                            2))
                    : r.json().has("tools")
                            ? FakeAnthropicServer.Reply.json(200, FakeAnthropicServer.message(List.of(
                                    FakeAnthropicServer.toolUse("toolu_01", "get_weather", TOOL_ARGS)), "tool_use",
                                    FakeAnthropicServer.usage(300, 0, 0, 20)))
                            : FakeAnthropicServer.Reply.json(200, FakeAnthropicServer.message(List.of(
                                    FakeAnthropicServer.text("pong")), "end_turn", FakeAnthropicServer.usage(14, 0, 0,
                                    2))));
            AnthropicProvider provider = new AnthropicProvider(new ProviderConfig("anthropic", ProviderType.ANTHROPIC,
                    fake.baseUrl(), new SecretRef(SecretRef.Source.ENV, "K"), Duration.ofSeconds(10), null, null,
                    Map.of()), () -> http, new SecretResolver(Map.of("K", "sk-ant-fake"), name -> {
                        throw new IllegalStateException();
                    }, System::nanoTime, Duration.ofMinutes(5)), InstantSource.system());

            LiveChecks.plain(provider, "claude-haiku-4-5");
            LiveChecks.stream(provider, "claude-haiku-4-5");
            LiveChecks.toolCall(provider, "claude-haiku-4-5");
            assertEquals(3, fake.requests().size());
            assertEquals(List.of(), fake.failures());

            fake.respond(FakeAnthropicServer.Reply.json(200, FakeAnthropicServer.message(List.of(
                    FakeAnthropicServer.text("pong")), "max_tokens", FakeAnthropicServer.usage(14, 0, 0, 64))));
            assertThrows(AssertionFailedError.class, () -> LiveChecks.plain(provider, "claude-haiku-4-5"),
                    "a cut-off answer is not a plain answer");
            assertThrows(AssertionFailedError.class, () -> LiveChecks.toolCall(provider, "claude-haiku-4-5"),
                    "a text is not a tool call");
        }
    }

    @Test
    void bedrock_checksPassOnRealShapedAnswers_andFailOnAWrongOne() throws Exception {
        try (FakeBedrockRuntime fake = FakeBedrockRuntime.start();
                BedrockRuntimeClients clients = new BedrockRuntimeClients("us-east-1", null, Ticker.system(), null)) {
            fake.respond(r -> switch (r.operation()) {
                case "converse-stream" -> FakeBedrockRuntime.Reply.stream(FakeBedrockRuntime.textStream("end_turn",
                        "po", "ng"));
                default -> r.json().has("toolConfig")
                        ? FakeBedrockRuntime.Reply.json(200, "{\"output\":{\"message\":{\"role\":\"assistant\","
                                + "\"content\":[{\"toolUse\":{\"toolUseId\":\"tooluse_1\",\"name\":\"get_weather\","
                                + "\"input\":" + TOOL_ARGS + "}}]}},\"stopReason\":\"tool_use\",\"usage\":"
                                + FakeBedrockRuntime.usage(400, 18, -1, -1) + ",\"metrics\":{\"latencyMs\":300}}")
                        : FakeBedrockRuntime.Reply.json(200, FakeBedrockRuntime.converseText("pong", "end_turn", 12,
                                2));
            });
            BedrockProvider provider = new BedrockProvider(ProviderConfig.bedrock("bedrock", "us-west-2",
                    fake.endpoint(), Duration.ofSeconds(15)), clients, InstantSource.system());
            String model = "amazon.nova-lite-v1:0";

            LiveChecks.plain(provider, model);
            LiveChecks.stream(provider, model);
            LiveChecks.toolCall(provider, model);
            assertEquals(List.of("converse", "converse-stream", "converse"),
                    fake.requests().stream().map(FakeBedrockRuntime.Recorded::operation).toList());
            assertEquals(List.of(), fake.failures());

            fake.respond(FakeBedrockRuntime.Reply.stream(FakeBedrockRuntime.textStream("end_turn", "no")));
            assertThrows(AssertionFailedError.class, () -> LiveChecks.stream(provider, model),
                    "a stream without the asked word fails");
        }
    }

    @Test
    void everyItClassNeedsTheExplicitSwitch() throws Exception {
        for (String name : List.of("io.switchboard.core.provider.anthropic.AnthropicIT",
                "io.switchboard.core.provider.bedrock.BedrockIT")) {
            EnabledIfEnvironmentVariable[] conditions = Class.forName(name)
                    .getAnnotationsByType(EnabledIfEnvironmentVariable.class);
            assertTrue(Arrays.stream(conditions).anyMatch(c -> c.named().equals("SWITCHBOARD_IT")
                    && c.matches().equals("1")), name + " must need SWITCHBOARD_IT=1");
            assertTrue(conditions.length >= 2, name + " must need its model or key variable as well");
        }
    }

    @Test
    void theDefaultSurefireRunIncludesNoItClass() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("layers/core/pom.xml"))) {
            root = root.getParent();
        }
        String parent = Files.readString(root.resolve("pom.xml"));
        assertFalse(parent.contains("<include>"), "the parent pom keeps surefire's default includes (*Test)");
        String core = Files.readString(root.resolve("layers/core/pom.xml"));
        int profiles = core.indexOf("<profiles>");
        String build = profiles < 0 ? core : core.substring(0, profiles);
        assertFalse(build.contains("IT.java"), "only the it profile includes *IT classes");
        assertTrue(core.substring(profiles).contains("<environmentVariables combine.self=\"override\">"),
                "the it profile replaces the static test credentials with the caller's environment");
    }
}
