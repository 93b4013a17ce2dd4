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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SamTemplateTest {

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
