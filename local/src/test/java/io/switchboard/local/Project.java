package io.switchboard.local;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the project's top level is, for tests that read {@code template.yaml} and the built artefacts. */
final class Project {
    private Project() {
    }

    static Path dir() {
        String prop = System.getProperty("switchboard.project.dir");
        Path p = prop != null ? Path.of(prop) : Path.of("..");
        p = p.toAbsolutePath().normalize();
        if (!Files.isRegularFile(p.resolve("template.yaml"))) {
            throw new IllegalStateException("no template.yaml in " + p);
        }
        return p;
    }

    static Path template() {
        return dir().resolve("template.yaml");
    }
}
