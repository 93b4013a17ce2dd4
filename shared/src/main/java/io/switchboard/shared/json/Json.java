package io.switchboard.shared.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one configured {@link ObjectMapper} of the codecs. Immutable after construction and thread-safe; built once
 * per class loader because building it is the expensive part of Jackson.
 */
public final class Json {
    /**
     * Strict: duplicate keys are an error, so one body has one meaning (and one cache key). Numbers are read with
     * Jackson's bundled FastDoubleParser (correctly rounded, as the JDK's): embedding answers are thousands of
     * decimals, and the JDK's parser was most of their reading time.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build())
                    .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                    .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {
    }

    /** Writes one JSON document through a generator. */
    @FunctionalInterface
    public interface Writer {
        /** Writes the document to {@code g}. */
        void write(com.fasterxml.jackson.core.JsonGenerator g) throws java.io.IOException;
    }

    /** The bytes {@code body} writes, with a first buffer of {@code sizeHint} bytes. */
    public static byte[] write(int sizeHint, Writer body) {
        try (com.fasterxml.jackson.core.util.ByteArrayBuilder out =
                     new com.fasterxml.jackson.core.util.ByteArrayBuilder(sizeHint);
             com.fasterxml.jackson.core.JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
            body.write(g);
            g.flush();
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
