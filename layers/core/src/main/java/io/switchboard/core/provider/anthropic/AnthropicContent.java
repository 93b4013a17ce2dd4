package io.switchboard.core.provider.anthropic;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.shared.GatewayException;
import java.io.IOException;

/**
 * OpenAI message content as Messages content blocks: a string or {@code text} (and {@code refusal}) parts as
 * {@code text} blocks, empty text left out (the API refuses empty text blocks); {@code image_url} parts as
 * {@code image} blocks, a base64 data URL as a {@code base64} source and an http(s) URL as a {@code url} source. Other
 * part types are a 400 naming the part.
 */
final class AnthropicContent {
    private AnthropicContent() {
    }

    /** Content blocks for a string or an array of content parts (text, refusal and image parts). */
    static void parts(JsonGenerator g, JsonNode content, String param) throws IOException {
        if (content == null || content.isNull()) {
            return;
        }
        if (content.isTextual()) {
            if (!content.textValue().isEmpty()) {
                textBlock(g, content.textValue());
            }
            return;
        }
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String p = param + "[" + j + "]";
            switch (part.path("type").asText()) {
                case "text" -> {
                    String text = part.path("text").asText("");
                    if (!text.isEmpty()) {
                        textBlock(g, text);
                    }
                }
                case "refusal" -> {
                    String text = part.path("refusal").asText("");
                    if (!text.isEmpty()) {
                        textBlock(g, text);
                    }
                }
                case "image_url" -> image(g, part.path("image_url").path("url").asText(""), p + ".image_url.url");
                default -> throw GatewayException.invalid(p + ".type", "'" + p + ".type' must be 'text' or "
                        + "'image_url' for Anthropic providers.").withCode("unsupported_value");
            }
        }
    }

    static void textBlock(JsonGenerator g, String text) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "text");
        g.writeStringField("text", text);
        g.writeEndObject();
    }

    /** An image block: a base64 data URL as a {@code base64} source, an http(s) URL as a {@code url} source. */
    private static void image(JsonGenerator g, String url, String param) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "image");
        g.writeObjectFieldStart("source");
        if (url.startsWith("data:")) {
            int comma = url.indexOf(',');
            int semicolon = url.indexOf(';');
            if (comma < 0 || semicolon < 0 || semicolon > comma
                    || !url.regionMatches(true, semicolon, ";base64", 0, comma - semicolon)) {
                throw GatewayException.invalid(param, "'" + param + "' must be a base64 data URL "
                        + "(data:<media type>;base64,<data>) or an http(s) URL.");
            }
            g.writeStringField("type", "base64");
            g.writeStringField("media_type", url.substring(5, semicolon));
            g.writeStringField("data", url.substring(comma + 1));
        } else if (url.startsWith("https://") || url.startsWith("http://")) {
            g.writeStringField("type", "url");
            g.writeStringField("url", url);
        } else {
            throw GatewayException.invalid(param, "'" + param + "' must be a base64 data URL "
                    + "(data:<media type>;base64,<data>) or an http(s) URL.");
        }
        g.writeEndObject();
        g.writeEndObject();
    }

}
