package io.switchboard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sam build} (makefile method, built in source as samconfig.toml sets) runs one make target per resource of
 * template.yaml in the project folder; across all of them the Maven reactor runs once. The project's Makefile runs
 * here in a copy of the layout with a Maven stand-in that counts its runs and writes the artefacts' shapes.
 */
class MakefileTest {

    private static String fakeMaven(Path count) {
        String jar = System.getProperty("java.home") + "/bin/jar";
        return "#!/bin/sh\nset -e\necho run >> '" + count + "'\n"
                + "mkdir -p stage/java/lib stage/fn layers/core/target functions/completion/target "
                + "functions/discovery/target functions/invalidation/target\n"
                + "echo x > stage/java/lib/core.jar\necho 'echo run' > stage/fn/run.sh\n"
                + "'" + jar + "' cfM layers/core/target/switchboard-layer.zip -C stage java\n"
                + "for f in completion discovery invalidation; do '" + jar
                + "' cfM functions/$f/target/switchboard-$f.jar -C stage/fn run.sh; done\n";
    }

    private static void make(Path dir, String target, Path artefacts, Path mvn) throws Exception {
        Process p = new ProcessBuilder("make", "--no-print-directory", target, "ARTIFACTS_DIR=" + artefacts,
                "MVN=sh " + mvn).directory(dir.toFile()).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes());
        }
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "make " + target);
        assertEquals(0, p.exitValue(), target + ":\n" + out);
    }

    @Test
    void samBuild_everyTarget_runsTheReactorOnce_andAgainOnlyAfterASourceChanged(@TempDir Path dir)
            throws Exception {
        assumeTrue(new File("/usr/bin/make").canExecute() || new File("/bin/make").canExecute(), "make");
        Files.copy(Project.dir().resolve("Makefile"), dir.resolve("Makefile"));
        Path source = dir.resolve("layers/core/src/main/java/A.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "class A {}");
        Files.setLastModifiedTime(source, FileTime.from(Instant.now().minusSeconds(60)));
        Files.writeString(dir.resolve("pom.xml"), "<project/>");
        Files.setLastModifiedTime(dir.resolve("pom.xml"), FileTime.from(Instant.now().minusSeconds(60)));
        for (String d : List.of("shared", "functions")) {
            Files.createDirectories(dir.resolve(d));
        }
        Path count = dir.resolve("maven-runs");
        Path mvn = dir.resolve("fake-mvn.sh");
        Files.writeString(mvn, fakeMaven(count));

        JsonNode resources = new ObjectMapper(new YAMLFactory()).readTree(Project.template().toFile())
                .path("Resources");
        List<String> built = new ArrayList<>();
        resources.fields().forEachRemaining(e -> {
            if ("makefile".equals(e.getValue().path("Metadata").path("BuildMethod").asText())) {
                built.add(e.getKey());
            }
        });
        assertEquals(8, built.size(), "the layer and seven functions: " + built);
        for (String id : built) {
            make(dir, "build-" + id, dir.resolve("out").resolve(id), mvn);
        }
        assertEquals(1, Files.readAllLines(count).size(), "Maven runs across " + built);

        Files.writeString(source, "class A { int changed; }");
        make(dir, "build-CompletionFunction", dir.resolve("out2"), mvn);
        make(dir, "build-ModelsFunction", dir.resolve("out3"), mvn);
        assertEquals(2, Files.readAllLines(count).size(), "a changed source builds once more, then no more");
    }
}
