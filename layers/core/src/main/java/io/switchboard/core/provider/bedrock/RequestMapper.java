package io.switchboard.core.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatMessage;
import io.switchboard.shared.chat.ChatRequest;
import io.switchboard.shared.chat.Role;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.bedrockruntime.model.AnyToolChoice;
import software.amazon.awssdk.services.bedrockruntime.model.AutoToolChoice;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ImageBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ImageFormat;
import software.amazon.awssdk.services.bedrockruntime.model.ImageSource;
import software.amazon.awssdk.services.bedrockruntime.model.InferenceConfiguration;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.SpecificToolChoice;
import software.amazon.awssdk.services.bedrockruntime.model.SystemContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.Tool;
import software.amazon.awssdk.services.bedrockruntime.model.ToolChoice;
import software.amazon.awssdk.services.bedrockruntime.model.ToolConfiguration;
import software.amazon.awssdk.services.bedrockruntime.model.ToolInputSchema;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolSpecification;
import software.amazon.awssdk.services.bedrockruntime.model.ToolUseBlock;

/**
 * An OpenAI request in Converse's terms. System and developer messages become system blocks; user and assistant
 * text, inline images, tool calls and tool results become content blocks, consecutive messages of one Bedrock role
 * merged; the token cap, sampling and stop sequences become the inference configuration; tools and the tool choice
 * the tool configuration. Parameters Bedrock cannot honour and that change the answer are refused (400
 * {@code unsupported_parameter} naming the field); harmless ones are dropped (the table is in
 * {@code docs/providers-bedrock.md}).
 */
final class RequestMapper {
    private static final Map<String, ImageFormat> IMAGE_TYPES = Map.of("image/png", ImageFormat.PNG,
            "image/jpeg", ImageFormat.JPEG, "image/jpg", ImageFormat.JPEG, "image/gif", ImageFormat.GIF,
            "image/webp", ImageFormat.WEBP);
    private static final JsonNode EMPTY_SCHEMA = Json.MAPPER.createObjectNode().put("type", "object")
            .set("properties", Json.MAPPER.createObjectNode());

    private RequestMapper() {
    }

    /** {@code r} for Bedrock; {@code provider} names the provider in refusals. */
    static ConverseInput map(ChatRequest r, String provider) {
        refuseUnsupported(r, provider);
        List<SystemContentBlock> system = new ArrayList<>();
        List<Message> messages = new ArrayList<>();
        ConversationRole role = null;
        List<ContentBlock> blocks = new ArrayList<>();
        boolean toolBlocks = false;
        for (int i = 0; i < r.messages().size(); i++) {
            ChatMessage m = r.messages().get(i);
            String p = "messages[" + i + "]";
            if (m.role() == Role.SYSTEM || m.role() == Role.DEVELOPER) {
                for (String text : texts(m.content(), p + ".content", false)) {
                    system.add(SystemContentBlock.fromText(text));
                }
                continue;
            }
            ConversationRole next = switch (m.role()) {
                case USER, TOOL -> ConversationRole.USER;
                case ASSISTANT -> ConversationRole.ASSISTANT;
                default -> throw unsupported(p + ".role", "the 'function' role (use 'tool')", provider);
            };
            if (next != role && !blocks.isEmpty()) {
                add(messages, role, blocks);
                blocks = new ArrayList<>();
            }
            role = next;
            switch (m.role()) {
                case USER -> userBlocks(m.content(), p + ".content", blocks);
                case TOOL -> {
                    blocks.add(ContentBlock.fromToolResult(ToolResultBlock.builder().toolUseId(m.toolCallId())
                            .content(ToolResultContentBlock.fromText(String.join("\n",
                                    texts(m.content(), p + ".content", true)))).build()));
                    toolBlocks = true;
                }
                default -> {
                    if (m.extensions().containsKey("function_call")) {
                        throw unsupported(p + ".function_call", "'function_call' (use 'tool_calls')", provider);
                    }
                    for (String text : texts(m.content(), p + ".content", false)) {
                        blocks.add(ContentBlock.fromText(text));
                    }
                    toolBlocks |= toolUses(m.toolCalls(), p + ".tool_calls", blocks);
                }
            }
        }
        if (!blocks.isEmpty()) {
            add(messages, role, blocks);
        }
        return new ConverseInput(messages, system, inference(r), tools(r, toolBlocks, provider));
    }

    /** Appends a message, merged into the last one when of the same role (an empty message in between vanished). */
    private static void add(List<Message> messages, ConversationRole role, List<ContentBlock> blocks) {
        Message last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
        if (last != null && last.role() == role) {
            List<ContentBlock> merged = new ArrayList<>(last.content());
            merged.addAll(blocks);
            messages.set(messages.size() - 1, Message.builder().role(role).content(merged).build());
        } else {
            messages.add(Message.builder().role(role).content(blocks).build());
        }
    }

    private static void refuseUnsupported(ChatRequest r, String provider) {
        if (r.choices() > 1) {
            throw unsupported("n", "more than one choice ('n' > 1)", provider);
        }
        JsonNode format = r.responseFormat();
        if (format != null && !format.isNull() && !"text".equals(format.path("type").asText())) {
            throw unsupported("response_format", "'response_format' of type '" + format.path("type").asText()
                    + "'", provider);
        }
        Map<String, JsonNode> x = r.extensions();
        if (x.getOrDefault("logprobs", Json.MAPPER.nullNode()).asBoolean(false)) {
            throw unsupported("logprobs", "'logprobs'", provider);
        }
        for (String f : List.of("top_logprobs", "audio", "prediction", "functions", "function_call",
                "web_search_options")) {
            JsonNode v = x.get(f);
            if (v != null && !v.isNull()) {
                throw unsupported(f, "'" + f + "'", provider);
            }
        }
        JsonNode bias = x.get("logit_bias");
        if (bias != null && bias.isObject() && !bias.isEmpty()) {
            throw unsupported("logit_bias", "'logit_bias'", provider);
        }
        for (String f : List.of("presence_penalty", "frequency_penalty")) {
            JsonNode v = x.get(f);
            if (v != null && v.isNumber() && v.doubleValue() != 0) {
                throw unsupported(f, "'" + f + "'", provider);
            }
        }
        JsonNode parallel = x.get("parallel_tool_calls");
        if (parallel != null && parallel.isBoolean() && !parallel.booleanValue()) {
            throw unsupported("parallel_tool_calls", "'parallel_tool_calls': false", provider);
        }
        JsonNode modalities = x.get("modalities");
        if (modalities != null && modalities.isArray()) {
            for (JsonNode m : modalities) {
                if (!"text".equals(m.asText())) {
                    throw unsupported("modalities", "output modalities other than 'text'", provider);
                }
            }
        }
    }

    /** The text of a string or of text (and refusal) parts, blank ones left out; other parts refused. */
    private static List<String> texts(JsonNode content, String p, boolean keepBlank) {
        List<String> out = new ArrayList<>();
        if (content == null || content.isNull()) {
            return out;
        }
        if (content.isTextual()) {
            if (keepBlank || !content.textValue().isBlank()) {
                out.add(content.textValue());
            }
            return out;
        }
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String type = part.path("type").asText();
            String text = switch (type) {
                case "text" -> part.path("text").asText();
                case "refusal" -> part.path("refusal").asText();
                default -> throw GatewayException.invalid(p + "[" + j + "].type", "'" + p + "[" + j
                        + "].type' must be 'text' here for a bedrock provider.").withCode("unsupported_value");
            };
            if (keepBlank || !text.isBlank()) {
                out.add(text);
            }
        }
        return out;
    }

    private static void userBlocks(JsonNode content, String p, List<ContentBlock> blocks) {
        if (content.isTextual()) {
            if (!content.textValue().isBlank()) {
                blocks.add(ContentBlock.fromText(content.textValue()));
            }
            return;
        }
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String pp = p + "[" + j + "]";
            switch (part.path("type").asText()) {
                case "text" -> {
                    if (!part.path("text").asText().isBlank()) {
                        blocks.add(ContentBlock.fromText(part.path("text").asText()));
                    }
                }
                case "image_url" -> blocks.add(ContentBlock.fromImage(image(part.path("image_url").path("url"),
                        pp + ".image_url.url")));
                default -> throw GatewayException.invalid(pp + ".type", "'" + pp
                        + ".type' must be 'text' or 'image_url' for a bedrock provider.").withCode("unsupported_value");
            }
        }
    }

    /** A base64 data URL as image bytes; Bedrock cannot fetch URLs. */
    private static ImageBlock image(JsonNode url, String p) {
        String u = url.asText("");
        if (!u.startsWith("data:")) {
            throw GatewayException.invalid(p, "'" + p + "' must be a base64 data URL (data:image/png;base64,...): "
                    + "Bedrock does not fetch images from URLs.").withCode("unsupported_value");
        }
        int comma = u.indexOf(',');
        String meta = comma < 0 ? "" : u.substring(5, comma).toLowerCase(Locale.ROOT);
        if (!meta.endsWith(";base64")) {
            throw GatewayException.invalid(p, "'" + p + "' must be a base64 data URL.").withCode("invalid_image_url");
        }
        ImageFormat format = IMAGE_TYPES.get(meta.substring(0, meta.length() - ";base64".length()));
        if (format == null) {
            throw GatewayException.invalid(p, "'" + p + "' must be a PNG, JPEG, GIF or WebP image.")
                    .withCode("invalid_image_url");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(u.substring(comma + 1));
        } catch (IllegalArgumentException e) {
            throw GatewayException.invalid(p, "'" + p + "' is not valid base64.").withCode("invalid_image_url");
        }
        return ImageBlock.builder().format(format).source(ImageSource.fromBytes(SdkBytes.fromByteArray(bytes)))
                .build();
    }

    /** An assistant's tool calls as tool-use blocks; true when there were any. */
    private static boolean toolUses(JsonNode calls, String p, List<ContentBlock> blocks) {
        if (calls == null || calls.isEmpty()) {
            return false;
        }
        for (int k = 0; k < calls.size(); k++) {
            JsonNode call = calls.get(k);
            String pk = p + "[" + k + "]";
            JsonNode fn = call.path("function");
            if (!call.path("id").isTextual() || !fn.path("name").isTextual()) {
                throw GatewayException.invalid(pk, "'" + pk + "' needs an 'id' and a 'function.name'.");
            }
            String args = fn.path("arguments").asText("");
            JsonNode input;
            try {
                input = args.isBlank() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(args);
            } catch (IOException e) {
                throw GatewayException.invalid(pk + ".function.arguments", "'" + pk
                        + ".function.arguments' must be JSON for a bedrock provider.");
            }
            blocks.add(ContentBlock.fromToolUse(ToolUseBlock.builder().toolUseId(call.get("id").textValue())
                    .name(fn.get("name").textValue()).input(Documents.of(input)).build()));
        }
        return true;
    }

    private static InferenceConfiguration inference(ChatRequest r) {
        InferenceConfiguration.Builder b = InferenceConfiguration.builder();
        if (r.tokenLimit() != null) {
            b.maxTokens(r.tokenLimit());
        }
        if (r.temperature() != null) {
            b.temperature(r.temperature().floatValue());
        }
        if (r.topP() != null) {
            b.topP(r.topP().floatValue());
        }
        if (!r.stop().isEmpty()) {
            b.stopSequences(r.stop());
        }
        return b.build();
    }

    /**
     * Tools and the choice: {@code auto}, {@code required} ({@code any}), a named function ({@code tool}).
     * {@code none} has no Converse equivalent: the tools are left out, unless the conversation holds tool blocks
     * (Bedrock then requires them), in which case they are sent without a choice.
     */
    private static ToolConfiguration tools(ChatRequest r, boolean toolBlocks, String provider) {
        JsonNode tools = r.tools();
        JsonNode choice = r.toolChoice();
        boolean none = choice != null && choice.isTextual() && choice.textValue().equals("none");
        if (tools == null || tools.isEmpty() || (none && !toolBlocks)) {
            return null;
        }
        List<Tool> specs = new ArrayList<>(tools.size());
        for (int i = 0; i < tools.size(); i++) {
            JsonNode t = tools.get(i);
            if (!"function".equals(t.path("type").asText())) {
                throw unsupported("tools[" + i + "].type", "tools of type '" + t.path("type").asText() + "'",
                        provider);
            }
            JsonNode fn = t.get("function");
            ToolSpecification.Builder spec = ToolSpecification.builder().name(fn.get("name").textValue());
            if (fn.path("description").isTextual() && !fn.get("description").textValue().isEmpty()) {
                spec.description(fn.get("description").textValue());
            }
            JsonNode params = fn.path("parameters");
            spec.inputSchema(ToolInputSchema.fromJson(Documents.of(params.isObject() ? params : EMPTY_SCHEMA)));
            specs.add(Tool.fromToolSpec(spec.build()));
        }
        ToolConfiguration.Builder b = ToolConfiguration.builder().tools(specs);
        if (choice != null && !choice.isNull() && !none) {
            if (choice.isTextual()) {
                b.toolChoice(choice.textValue().equals("required")
                        ? ToolChoice.fromAny(AnyToolChoice.builder().build())
                        : ToolChoice.fromAuto(AutoToolChoice.builder().build()));
            } else {
                JsonNode name = choice.path("function").path("name");
                if (!"function".equals(choice.path("type").asText()) || !name.isTextual()) {
                    throw GatewayException.invalid("tool_choice",
                            "'tool_choice' must name a function: {\"type\": \"function\", \"function\": {\"name\": ...}}.");
                }
                b.toolChoice(ToolChoice.fromTool(SpecificToolChoice.builder().name(name.textValue()).build()));
            }
        }
        return b.build();
    }

    private static GatewayException unsupported(String param, String what, String provider) {
        return GatewayException.invalid(param, "Provider '" + provider + "' (Amazon Bedrock) does not support "
                + what + ".").withCode("unsupported_parameter");
    }
}
