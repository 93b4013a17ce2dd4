package io.switchboard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The cold-start table: for each function, fresh JVMs (default 5) with exactly the layer's jars and the function's
 * jar on the classpath, with and without the SnapStart cycle, each running {@link ColdStartProbe}; medians of init,
 * the snapshot cycle, the first and second invoke, and the classes loaded before the first invoke. Run from the
 * project's top level after {@code mvn -DskipTests package}; writes {@code docs/cold-start.md}.
 *
 * <pre>java -cp bench/target/switchboard-bench.jar io.switchboard.bench.ColdStartBench [runs]</pre>
 */
public final class ColdStartBench {
    private record Function(String name, String jar, String handler, String route) {
    }

    private ColdStartBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path layer = Files.createTempDirectory("switchboard-layer");
        unzip(Path.of("layers/core/target/switchboard-layer.zip"), layer);
        String probe = Path.of("bench/target/classes").toAbsolutePath().toString();
        List<Function> functions = List.of(
                new Function("completion", "functions/completion/target/switchboard-completion.jar",
                        "io.switchboard.completion.CompletionHandler", "completion"),
                new Function("models (discovery module)", "functions/discovery/target/switchboard-discovery.jar",
                        "io.switchboard.discovery.ModelsHandler", "models"));
        StringBuilder md = new StringBuilder();
        md.append("| function | SnapStart cycle | init ms | before+after hooks ms | first invoke ms | second invoke ms"
                + " | classes loaded before first invoke |\n|---|---|---|---|---|---|---|\n");
        ObjectMapper json = new ObjectMapper();
        for (Function f : functions) {
            for (String priming : List.of("off", "on")) {
                List<JsonNode> results = new ArrayList<>();
                for (int i = 0; i < runs; i++) {
                    results.add(json.readTree(run(layer, probe, f, priming)));
                }
                md.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.1f | %.2f | %.0f |%n", f.name(),
                        priming, median(results, "initMs"), median(results, "snapCycleMs"),
                        median(results, "firstInvokeMs"), median(results, "secondInvokeMs"),
                        median(results, "classesBeforeFirstInvoke")));
            }
        }
        System.out.print(md);
        Files.createDirectories(Path.of("docs"));
        Files.writeString(Path.of("docs/cold-start.md"), "# Cold start\n\nMedians of " + runs + " fresh JVMs per row ("
                + Runtime.version() + ", this machine: 2 shared cores), classpath = the layer's `java/lib/*.jar` + the "
                + "function's jar, measured by `bench/.../ColdStartProbe` (run `java -cp bench/target/switchboard-bench.jar "
                + "io.switchboard.bench.ColdStartBench`).\n\n- *init*: building the handler, as the runtime does at init."
                + "\n- *before+after hooks*: the SnapStart cycle run by hand (priming + closing sockets, then re-arming); "
                + "on Lambda this runs when the snapshot is taken, not on a cold start: a restored environment pays only "
                + "the after-restore part (microseconds) and starts from the primed state.\n- *first / second invoke*: "
                + "handler time of the first two requests (mock provider for completions, bundled catalog for models)."
                + "\n\n" + md);
    }

    private static String run(Path layer, String probe, Function f, String priming) throws Exception {
        String cp = layer.resolve("java/lib") + File.separator + "*" + File.pathSeparator
                + Path.of(f.jar()).toAbsolutePath() + File.pathSeparator + probe;
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", cp, "io.switchboard.bench.ColdStartProbe", f.handler(), f.route(), priming);
        pb.environment().put("AWS_EMF_ENVIRONMENT", "Local");
        pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        pb.environment().put("AWS_REGION", "us-east-1");
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String err;
        try (InputStream in = p.getErrorStream()) {
            err = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("probe failed: " + err);
        }
        String[] lines = err.strip().split("\n");
        return lines[lines.length - 1];
    }

    private static double median(List<JsonNode> results, String field) {
        double[] v = results.stream().mapToDouble(r -> r.path(field).asDouble()).toArray();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private static void unzip(Path zip, Path to) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                Path out = to.resolve(e.getName()).normalize();
                if (!out.startsWith(to)) {
                    throw new IOException("zip entry outside the target: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(in, out);
                }
            }
        }
    }
}
