package io.switchboard.discovery;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.core.catalog.DiscoveryReport;
import io.switchboard.shared.catalog.ModelRef;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** The discovery run's report as the function answers and logs it. */
final class ReportJson {
    private ReportJson() {
    }

    static byte[] write(DiscoveryReport r) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("generation", r.generation());
        n.put("previousGeneration", r.previousGeneration());
        n.put("changed", r.changedCatalog());
        names(n, "added", r.added());
        names(n, "removed", r.removed());
        names(n, "updated", r.changed());
        ObjectNode failed = n.putObject("failedProviders");
        r.failedProviders().forEach(failed::put);
        ObjectNode listed = n.putObject("listed");
        r.listed().forEach(listed::put);
        n.put("writes", r.writes());
        n.put("published", r.published());
        n.put("wallMillis", r.wallNanos() / 1_000_000);
        try {
            return Json.MAPPER.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void names(ObjectNode n, String field, List<ModelRef> refs) {
        var a = n.putArray(field);
        refs.forEach(ref -> a.add(ref.name()));
    }
}
