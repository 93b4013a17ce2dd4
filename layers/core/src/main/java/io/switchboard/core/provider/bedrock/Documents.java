package io.switchboard.core.provider.bedrock;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.document.Document;

/** JSON trees to the SDK's {@link Document}s (tool schemas, tool inputs) and back to JSON text (tool arguments). */
final class Documents {
    private Documents() {
    }

    /** {@code node} as a document, numbers kept exactly. */
    static Document of(JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                Map<String, Document> m = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    m.put(e.getKey(), of(e.getValue()));
                }
                return Document.fromMap(m);
            }
            case ARRAY -> {
                List<Document> l = new ArrayList<>(node.size());
                for (JsonNode n : node) {
                    l.add(of(n));
                }
                return Document.fromList(l);
            }
            case STRING -> {
                return Document.fromString(node.textValue());
            }
            case NUMBER -> {
                return node.isIntegralNumber() ? (node.canConvertToLong() ? Document.fromNumber(node.longValue())
                        : Document.fromNumber(node.bigIntegerValue())) : Document.fromNumber(node.decimalValue());
            }
            case BOOLEAN -> {
                return Document.fromBoolean(node.booleanValue());
            }
            default -> {
                return Document.fromNull();
            }
        }
    }

    /** {@code d} as compact JSON text (a tool call's {@code arguments}); an absent document is {@code {}}. */
    static String json(Document d) {
        if (d == null) {
            return "{}";
        }
        return new String(Json.write(64, g -> write(g, d)), StandardCharsets.UTF_8);
    }

    private static void write(JsonGenerator g, Document d) throws IOException {
        if (d.isMap()) {
            g.writeStartObject();
            for (Map.Entry<String, Document> e : d.asMap().entrySet()) {
                g.writeFieldName(e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (d.isList()) {
            g.writeStartArray();
            for (Document e : d.asList()) {
                write(g, e);
            }
            g.writeEndArray();
        } else if (d.isString()) {
            g.writeString(d.asString());
        } else if (d.isNumber()) {
            g.writeNumber(d.asNumber().stringValue());
        } else if (d.isBoolean()) {
            g.writeBoolean(d.asBoolean());
        } else {
            g.writeNull();
        }
    }
}
