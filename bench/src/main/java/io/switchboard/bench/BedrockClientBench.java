package io.switchboard.bench;

import io.switchboard.core.provider.bedrock.testing.FakeBedrockRuntime;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Netty versus the AWS CRT as the async HTTP client of ConverseStream: (a) the bytes each adds to the layer (the jars
 * only that client brings) and (b) cold start, the median over fresh JVMs of {@link BedrockClientProbe}'s time from
 * the JVM's start to the first ConverseStream event from a loopback {@link FakeBedrockRuntime}, each JVM with only
 * that client's jars, the two clients' runs interleaved (medians, with min–max). Run from the project's top level after {@code mvn -pl bench -am package -DskipTests}:
 *
 * <pre>java -cp 'bench/target/switchboard-bench.jar:bench/target/lib/*' io.switchboard.bench.BedrockClientBench [runs]</pre>
 */
public final class BedrockClientBench {
    private static final Predicate<String> NETTY = n -> n.startsWith("netty-");
    private static final Predicate<String> CRT = n -> n.startsWith("aws-crt") || n.startsWith("crt-core");

    private BedrockClientBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path lib = Path.of("bench/target/lib");
        List<Path> jars;
        try (var s = Files.list(lib)) {
            jars = s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
        StringBuilder md = new StringBuilder("| client | jars it adds | bytes | JVM start → first event, ms "
                + "| process CPU → first event, ms | main → first event, ms | main → end of stream, ms "
                + "| new client, classes loaded → first event, ms |\n|---|---|---|---|---|---|---|---|\n");
        List<String> clients = List.of("netty", "crt");
        String[] cps = new String[clients.size()];
        long[] bytes = new long[clients.size()];
        List<List<String>> names = new ArrayList<>();
        for (int c = 0; c < clients.size(); c++) {
            Predicate<String> own = clients.get(c).equals("netty") ? NETTY : CRT;
            Predicate<String> other = clients.get(c).equals("netty") ? CRT : NETTY;
            List<String> mine = new ArrayList<>();
            StringBuilder cp = new StringBuilder(Path.of("bench/target/classes").toAbsolutePath().toString());
            for (Path j : jars) {
                String n = j.getFileName().toString();
                if (other.test(n)) {
                    continue;
                }
                if (own.test(n)) {
                    bytes[c] += Files.size(j);
                    mine.add(n);
                }
                cp.append(File.pathSeparator).append(j.toAbsolutePath());
            }
            cps[c] = cp.toString();
            names.add(mine);
        }
        String[] fields = {"jvmToFirstEventMs", "cpuToFirstEventMs", "mainToFirstEventMs", "mainToEndMs", "loadedToFirstEventMs"};
        double[][][] results = new double[clients.size()][fields.length][runs];
        try (FakeBedrockRuntime fake = FakeBedrockRuntime.start()) {
            fake.respond(FakeBedrockRuntime.Reply.stream(FakeBedrockRuntime.textStream("end_turn", "Hel", "lo")));
            for (int i = 0; i < runs; i++) {
                for (int c = 0; c < clients.size(); c++) { // interleaved, so load drifts hit both alike
                    String line = probe(cps[c], clients.get(c), fake.endpoint().toString());
                    System.err.println(line);
                    for (int f = 0; f < fields.length; f++) {
                        results[c][f][i] = number(line, fields[f]);
                    }
                }
            }
        }
        for (int c = 0; c < clients.size(); c++) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %,d |", clients.get(c), String.join(", ", names.get(c)),
                    bytes[c]));
            for (int f = 0; f < fields.length; f++) {
                double[] s = results[c][f].clone();
                Arrays.sort(s);
                md.append(String.format(Locale.ROOT, " %.1f (%.1f–%.1f) |", median(s), s[0], s[s.length - 1]));
            }
            md.append('\n');
        }
        System.out.print(md);
    }

    private static String probe(String cp, String client, String endpoint) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", cp, "io.switchboard.bench.BedrockClientProbe", client, endpoint);
        pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("probe failed: " + out);
        }
        return out.lines().reduce((a, b) -> b).orElseThrow();
    }

    private static double number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":([0-9.]+)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException(field + " missing in " + json);
        }
        return Double.parseDouble(m.group(1));
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
