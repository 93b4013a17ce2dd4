package io.switchboard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment artefacts have the shape Lambda needs: the layer zip holds only {@code java/lib/*.jar}, the function
 * jar holds its handler and nothing of the layer, no class is on the classpath twice, and our classes are Java 21
 * bytecode. Runs in the reactor after the layer and the function are packaged.
 */
class PackagingTest {
    private static final Path LAYER = Project.dir().resolve("layers/core/target/switchboard-layer.zip");
    private static final Path FUNCTION = Project.dir().resolve("functions/completion/target/switchboard-completion.jar");
    private static final Path DISCOVERY = Project.dir().resolve("functions/discovery/target/switchboard-discovery.jar");
    private static final Path INVALIDATION = Project.dir().resolve(
            "functions/invalidation/target/switchboard-invalidation.jar");

    @Test
    void layerZip_holdsOnlyJarsUnderJavaLib() throws IOException {
        assertTrue(Files.isRegularFile(LAYER), "build the layer first: " + LAYER);
        List<String> jars = new ArrayList<>();
        try (ZipFile zip = new ZipFile(LAYER.toFile())) {
            zip.stream().filter(e -> !e.isDirectory()).forEach(e -> {
                assertTrue(e.getName().startsWith("java/lib/") && e.getName().endsWith(".jar")
                        && e.getName().indexOf('/', "java/lib/".length()) < 0, "unexpected entry " + e.getName());
                jars.add(e.getName());
            });
        }
        assertTrue(jars.stream().anyMatch(j -> j.contains("switchboard-layer-core")));
        assertTrue(jars.stream().anyMatch(j -> j.contains("switchboard-shared")));
        assertTrue(jars.stream().anyMatch(j -> j.contains("powertools-metrics")));
        assertFalse(jars.stream().anyMatch(j -> j.contains("switchboard-completion")), "functions stay out");
        assertFalse(jars.stream().anyMatch(j -> j.contains("junit")), "no test jars");
        assertFalse(jars.stream().anyMatch(j -> j.contains("apache-client") || j.contains("aws-crt")),
                "the URL-connection HTTP client of the SDK, and Netty for Bedrock's streams only");
        assertTrue(jars.stream().anyMatch(j -> j.contains("netty-nio-client")), "ConverseStream's async client");
    }

    @Test
    void functionJar_holdsHandlerAndOnlyItsOwnClasses() throws IOException {
        Set<String> classes = classesOf(FUNCTION);
        String handler = handlerOf("CompletionFunction").replace('.', '/') + ".class";
        assertTrue(classes.contains(handler), "template handler " + handler + " is in the function jar");
        for (String c : classes) {
            assertTrue(c.startsWith("io/switchboard/completion/"), "foreign class in the function jar: " + c);
        }
    }

    @Test
    void discoveryJar_holdsBothHandlersAndOnlyItsOwnClasses() throws IOException {
        Set<String> classes = classesOf(DISCOVERY);
        for (String function : List.of("DiscoveryFunction", "ModelsFunction")) {
            String handler = handlerOf(function).replace('.', '/') + ".class";
            assertTrue(classes.contains(handler), "template handler " + handler + " is in the discovery jar");
        }
        for (String c : classes) {
            assertTrue(c.startsWith("io/switchboard/discovery/"), "foreign class in the discovery jar: " + c);
        }
    }

    @Test
    void invalidationJar_holdsBothHandlersAndOnlyItsOwnClasses() throws IOException {
        Set<String> classes = classesOf(INVALIDATION);
        for (String function : List.of("InvalidationFunction", "InvalidateRouteFunction", "AdminFunction")) {
            String handler = handlerOf(function).replace('.', '/') + ".class";
            assertTrue(classes.contains(handler), "template handler " + handler + " is in the invalidation jar");
        }
        for (String c : classes) {
            assertTrue(c.startsWith("io/switchboard/invalidation/"), "foreign class in the invalidation jar: " + c);
        }
    }

    @Test
    void noClassIsInBothLayerAndFunction_andNoneTwiceInLayer() throws IOException {
        Map<String, String> owner = new HashMap<>();
        Set<String> duplicates = new TreeSet<>();
        try (ZipFile zip = new ZipFile(LAYER.toFile())) {
            for (ZipEntry e : zip.stream().filter(x -> x.getName().endsWith(".jar")).toList()) {
                try (ZipInputStream jar = new ZipInputStream(zip.getInputStream(e))) {
                    for (ZipEntry c; (c = jar.getNextEntry()) != null; ) {
                        String n = c.getName();
                        if (n.endsWith(".class") && !n.endsWith("module-info.class") && !n.startsWith("META-INF/")) {
                            String prev = owner.put(n, e.getName());
                            if (prev != null) {
                                duplicates.add(n + " in " + prev + " and " + e.getName());
                            }
                        }
                    }
                }
            }
        }
        assertTrue(duplicates.isEmpty(), "classes twice in the layer: " + duplicates);
        for (Path function : List.of(FUNCTION, DISCOVERY, INVALIDATION)) {
            for (String c : classesOf(function)) {
                assertFalse(owner.containsKey(c), c + " is in " + function.getFileName() + " and in " + owner.get(c));
            }
        }
    }

    @Test
    void ourClasses_areJava21Bytecode() throws IOException {
        try (ZipFile jar = new ZipFile(FUNCTION.toFile())) {
            ZipEntry e = jar.getEntry(handlerOf("CompletionFunction").replace('.', '/') + ".class");
            try (DataInputStream in = new DataInputStream(jar.getInputStream(e))) {
                assertEquals(0xCAFEBABE, in.readInt());
                in.readUnsignedShort();
                assertEquals(65, in.readUnsignedShort(), "class file major version 65 = Java 21");
            }
        }
    }

    @Test
    void template_runtimeAndLayerCompatibility() throws IOException {
        JsonNode t = new ObjectMapper(new YAMLFactory()).readTree(Project.template().toFile());
        assertEquals("java25", t.path("Globals").path("Function").path("Runtime").asText());
        JsonNode layer = t.path("Resources").path("SwitchboardLayer").path("Properties");
        Set<String> runtimes = new HashSet<>();
        layer.path("CompatibleRuntimes").forEach(r -> runtimes.add(r.asText()));
        assertEquals(Set.of("java21", "java25"), runtimes);
        assertEquals("PublishedVersions",
                t.path("Globals").path("Function").path("SnapStart").path("ApplyOn").asText());
    }

    @Test
    void makefileTargets_produceSamArtefacts(@TempDir Path out) throws Exception {
        assumeTrue(new File("/usr/bin/make").canExecute() || new File("/bin/make").canExecute(), "make");
        Path layerDir = out.resolve("layer");
        Path fnDir = out.resolve("function");
        run("build-SwitchboardLayer", layerDir);
        run("build-CompletionFunction", fnDir);
        Path discoveryDir = out.resolve("discovery");
        run("build-DiscoveryFunction", discoveryDir);
        assertTrue(Files.isRegularFile(discoveryDir.resolve(handlerOf("DiscoveryFunction").replace('.', '/')
                + ".class")));
        try (var files = Files.walk(layerDir)) {
            List<Path> regular = files.filter(Files::isRegularFile).toList();
            assertFalse(regular.isEmpty());
            regular.forEach(p -> assertTrue(layerDir.relativize(p).toString().matches("java/lib/[^/]+\\.jar"),
                    "layer artefact " + p));
        }
        assertTrue(Files.isRegularFile(fnDir.resolve(handlerOf("CompletionFunction").replace('.', '/') + ".class")));

        // the streaming function: Lambda Web Adapter runs its Handler (run.sh), which starts SWITCHBOARD_HTTP_APP
        Path streamDir = out.resolve("stream");
        run("build-CompletionStreamFunction", streamDir);
        FunctionSpec stream = SamTemplate.read(Project.template(), java.util.Map.of()).functions().stream()
                .filter(f -> f.logicalId().equals("CompletionStreamFunction")).findFirst().orElseThrow();
        Path script = streamDir.resolve(stream.handler());
        assertTrue(Files.isExecutable(script), "the adapter executes " + stream.handler());
        assertTrue(Files.readString(script).contains("SWITCHBOARD_HTTP_APP"), "run.sh starts the configured app");
        assertTrue(Files.isRegularFile(streamDir.resolve(stream.handlerClass().replace('.', '/') + ".class")),
                "the HTTP application class is in the artefact");
        assertEquals("/opt/bootstrap", stream.environment().get("AWS_LAMBDA_EXEC_WRAPPER"));
        assertEquals("response_stream", stream.environment().get("AWS_LWA_INVOKE_MODE"));
    }

    private static void run(String target, Path artifacts) throws Exception {
        Process p = new ProcessBuilder("make", "--no-print-directory", target, "ARTIFACTS_DIR=" + artifacts)
                .directory(Project.dir().toFile()).redirectErrorStream(true).start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes());
        }
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "make " + target + " finished");
        assertEquals(0, p.exitValue(), output);
    }

    private static String handlerOf(String function) throws IOException {
        JsonNode t = new ObjectMapper(new YAMLFactory()).readTree(Project.template().toFile());
        String handler = t.path("Resources").path(function).path("Properties").path("Handler").asText();
        return handler.substring(0, handler.indexOf("::"));
    }

    private static Set<String> classesOf(Path jar) throws IOException {
        assertTrue(Files.isRegularFile(jar), "build the function first: " + jar);
        Set<String> out = new HashSet<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            zip.stream().filter(e -> e.getName().endsWith(".class")).forEach(e -> out.add(e.getName()));
        }
        return out;
    }
}
