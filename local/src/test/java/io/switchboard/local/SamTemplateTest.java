package io.switchboard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SamTemplateTest {
    private static final List<String> INVOKE = List.of("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream");
    private static final List<String> COMPLETION_FUNCTIONS = List.of("CompletionFunction", "CompletionStreamFunction");

    /** The resources of every statement of {@code function} that allows a {@code bedrock:Invoke*} action. */
    private static List<PolicyStatement> bedrockInvoke(SamTemplate t, String function) {
        return t.policyStatements(function).stream()
                .filter(s -> s.actions().stream().anyMatch(a -> a.startsWith("bedrock:Invoke"))).toList();
    }

    @Test
    void policies_bedrockInvokeOff_grantsNoBedrockInvoke() throws Exception {
        SamTemplate t = SamTemplate.read(Project.template(), Map.of("BedrockModelArns", "arn:aws:bedrock:x::y/z"));
        for (FunctionSpec f : t.functions()) {
            assertEquals(List.of(), bedrockInvoke(t, f.logicalId()), f.logicalId());
        }
        assertFalse(t.policyStatements("CompletionFunction").isEmpty(), "the reader sees the function's policies");
    }

    @Test
    void policies_bedrockInvokeWithoutArns_keepsTheRegionWideGrant() throws Exception {
        SamTemplate t = SamTemplate.read(Project.template(), Map.of("BedrockInvoke", "true"));
        for (String f : COMPLETION_FUNCTIONS) {
            assertEquals(List.of(new PolicyStatement("Allow", INVOKE, List.of(
                    "arn:aws:bedrock:*::foundation-model/*",
                    "arn:aws:bedrock:us-east-1:123456789012:inference-profile/*"))), bedrockInvoke(t, f), f);
        }
    }

    @Test
    void policies_bedrockModelArns_scopeBothCompletionFunctionsToThem() throws Exception {
        List<String> arns = List.of(
                "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0",
                "arn:aws:bedrock:*::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0",
                "arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-lite-v1:0");
        SamTemplate t = SamTemplate.read(Project.template(),
                Map.of("BedrockInvoke", "true", "BedrockModelArns", String.join(",", arns)));
        for (String f : COMPLETION_FUNCTIONS) {
            assertEquals(List.of(new PolicyStatement("Allow", INVOKE, arns)), bedrockInvoke(t, f), f);
        }
        for (FunctionSpec f : t.functions()) {
            if (!COMPLETION_FUNCTIONS.contains(f.logicalId())) {
                assertEquals(List.of(), bedrockInvoke(t, f.logicalId()), "only the completion functions invoke");
            }
            for (PolicyStatement s : t.policyStatements(f.logicalId())) {
                assertFalse(s.actions().stream().anyMatch(a -> a.equals("bedrock:*") || a.equals("*")), f.logicalId());
            }
        }
    }

    @Test
    void bedrockModelArns_allowedPattern_takesArnsAndRefusesBareModelIds() throws Exception {
        String pattern = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(Project.template().toFile())
                .at("/Parameters/BedrockModelArns/AllowedPattern").asText();
        Pattern p = Pattern.compile(pattern);
        for (String ok : List.of("", "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0",
                "arn:aws:bedrock:*::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0",
                "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-lite-v1:0",
                "arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:application-inference-profile/a1b2c3")) {
            assertTrue(p.matcher(ok).matches(), ok);
        }
        for (String bad : List.of("amazon.nova-lite-v1:0", "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
                "bedrock/amazon.nova-lite-v1:0", "arn:aws:s3:::bucket/key", "*")) {
            assertFalse(p.matcher(bad).matches(), bad);
        }
    }

    @Test
    void functions_projectTemplate_declaresCompletionFunction() throws Exception {
        List<FunctionSpec> functions = SamTemplate.read(Project.template(), Map.of()).functions();
        FunctionSpec completion = functions.stream().filter(f -> f.logicalId().equals("CompletionFunction"))
                .findFirst().orElseThrow();

        assertEquals("io.switchboard.completion.CompletionHandler", completion.handlerClass());
        assertEquals(Duration.ofSeconds(30), completion.timeout());
        assertEquals(1000, completion.reservedConcurrency(),
                "none reserved by default: the account's concurrency (1000 by default) bounds it locally");
        assertTrue(completion.routes().contains(new Route("ANY", "/v1/chat/completions")));
        assertTrue(completion.routes().contains(new Route("ANY", "/v1/embeddings")));
        assertTrue(completion.routes().contains(new Route("ANY", "/embeddings")));
        FunctionSpec stream = functions.stream().filter(f -> f.logicalId().equals("CompletionStreamFunction"))
                .findFirst().orElseThrow();
        assertTrue(stream.routes().contains(new Route("ANY", "/v1/embeddings", true)),
                "the streaming function's adapter answers in response_stream mode, so its REST routes stream");
        assertTrue(stream.routes().contains(new Route("ANY", "/embeddings", true)));
        assertEquals("switchboard", completion.environment().get("POWERTOOLS_SERVICE_NAME"), "from Globals");
        assertEquals("Switchboard", completion.environment().get("POWERTOOLS_METRICS_NAMESPACE"), "Ref resolved");
        assertEquals("", completion.environment().get("SWITCHBOARD_API_KEYS"), "empty parameter default");
    }

    @Test
    void functions_parameterOverride_replacesDefault() throws Exception {
        FunctionSpec completion = SamTemplate.read(Project.template(),
                Map.of("CompletionReservedConcurrency", "2", "MetricsNamespace", "Other")).functions().get(0);
        assertEquals(2, completion.reservedConcurrency());
        assertEquals("Other", completion.environment().get("POWERTOOLS_METRICS_NAMESPACE"));
    }

    @Test
    void read_shortIntrinsicTag_isRejectedWithAdvice(@TempDir Path dir) throws Exception {
        Path t = dir.resolve("template.yaml");
        Files.writeString(t, "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                + "      Handler: x.Y\n      Timeout: !Ref T\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SamTemplate.read(t, Map.of()));
        assertTrue(e.getMessage().contains("!Ref"));
    }

    @Test
    void functions_intrinsics_areEvaluated(@TempDir Path dir) throws Exception {
        Path t = dir.resolve("template.yaml");
        Files.writeString(t, """
                Parameters:
                  Flag: {Type: String, Default: "on"}
                  Name: {Type: String, Default: "n1"}
                Conditions:
                  IsOn: {"Fn::Equals": [{Ref: Flag}, "on"]}
                  IsOff: {"Fn::Not": [{Condition: IsOn}]}
                Resources:
                  F:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: a.B::handle
                      Environment:
                        Variables:
                          SUB: {"Fn::Sub": "${Name}-${AWS::Region}"}
                          IF: {"Fn::If": [IsOn, "yes", "no"]}
                          IF2: {"Fn::If": [IsOff, "yes", {Ref: "AWS::NoValue"}]}
                          JOIN: {"Fn::Join": ["/", ["a", {Ref: Name}]]}
                          ATT: {"Fn::GetAtt": [X, Arn]}
                      Events:
                        Api: {Type: HttpApi, Properties: {Path: /p, Method: get}}
                """);
        FunctionSpec f = SamTemplate.read(t, Map.of()).functions().get(0);
        assertEquals("n1-us-east-1", f.environment().get("SUB"));
        assertEquals("yes", f.environment().get("IF"));
        assertFalse(f.environment().containsKey("IF2"));
        assertEquals("a/n1", f.environment().get("JOIN"));
        assertFalse(f.environment().containsKey("ATT"), "unresolvable locally: left out");
        assertEquals(new Route("GET", "/p"), f.routes().get(0));
        assertEquals(Duration.ofSeconds(3), f.timeout(), "Lambda's default timeout");
    }
}
