package io.switchboard.shared.embeddings;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.json.EmbeddingRequestReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.StringJoiner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** {@link EmbeddingRequestReader}: OpenAI's four input shapes, the options, and a 400 naming the field otherwise. */
class EmbeddingRequestReaderTest {

    private static EmbeddingRequest read(String json) {
        return EmbeddingRequestReader.read(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void read_singleString_defaultsToFloat() {
        EmbeddingRequest r = read("{\"model\":\"text-embedding-3-small\",\"input\":\"The food was delicious\"}");
        assertEquals("text-embedding-3-small", r.model());
        assertEquals(EmbeddingInput.Kind.TEXT, r.input().kind());
        assertEquals(1, r.input().size());
        assertEquals(List.of("The food was delicious"), r.input().texts());
        assertNull(r.encodingFormat());
        assertEquals(EncodingFormat.FLOAT, r.format());
        assertNull(r.dimensions());
        assertNull(r.user());
        assertTrue(r.extensions().isEmpty());
    }

    @Test
    void read_everyShapeAndOption() {
        EmbeddingRequest texts = read("{\"model\":\"m\",\"input\":[\"a\",\"b\",\"c\"],\"encoding_format\":\"base64\","
                + "\"dimensions\":256,\"user\":\"user-1\",\"x_vendor\":{\"truncate\":\"END\"}}");
        assertAll(
                () -> assertEquals(EmbeddingInput.Kind.TEXTS, texts.input().kind()),
                () -> assertEquals(3, texts.input().size()),
                () -> assertEquals("b", texts.input().text(1)),
                () -> assertFalse(texts.input().isTokens()),
                () -> assertEquals(EncodingFormat.BASE64, texts.format()),
                () -> assertEquals(256, texts.dimensions()),
                () -> assertEquals("user-1", texts.user()),
                () -> assertEquals("END", texts.extensions().get("x_vendor").path("truncate").asText()));

        EmbeddingRequest tokens = read("{\"model\":\"m\",\"input\":[1212,318,257,1332,13],\"encoding_format\":\"float\"}");
        assertEquals(EmbeddingInput.Kind.TOKENS, tokens.input().kind());
        assertEquals(1, tokens.input().size());
        assertArrayEquals(new int[] {1212, 318, 257, 1332, 13}, tokens.input().tokens(0));
        assertEquals(EncodingFormat.FLOAT, tokens.encodingFormat());

        EmbeddingRequest arrays = read("{\"model\":\"m\",\"input\":[[1,2],[3],[0,4,5]]}");
        assertEquals(EmbeddingInput.Kind.TOKEN_ARRAYS, arrays.input().kind());
        assertEquals(3, arrays.input().size());
        assertArrayEquals(new int[] {0, 4, 5}, arrays.input().tokens(2));
        assertTrue(arrays.input().isTokens());
        assertThrows(IllegalStateException.class, () -> arrays.input().text(0));
    }

    @Test
    void read_explicitNulls_areAbsent() {
        EmbeddingRequest r = read("{\"model\":\"m\",\"input\":\"x\",\"encoding_format\":null,\"dimensions\":null,"
                + "\"user\":null}");
        assertNull(r.encodingFormat());
        assertNull(r.dimensions());
        assertNull(r.user());
    }

    @Test
    void read_2048Items_accepted_2049Refused() {
        assertEquals(2048, read(body(2048)).input().size());
        GatewayException e = assertThrows(GatewayException.class, () -> read(body(2049)));
        assertEquals("input", e.param());
        assertTrue(e.getMessage().contains("2048"), e.getMessage());
    }

    private static String body(int items) {
        StringJoiner j = new StringJoiner(",", "{\"model\":\"m\",\"input\":[", "]}");
        for (int i = 0; i < items; i++) {
            j.add("\"item " + i + "\"");
        }
        return j.toString();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"input":"x"}                                              | model
            {"model":"","input":"x"}                                   | model
            {"model":7,"input":"x"}                                    | model
            {"model":"m"}                                              | input
            {"model":"m","input":null}                                 | input
            {"model":"m","input":""}                                   | input
            {"model":"m","input":[]}                                   | input
            {"model":"m","input":42}                                   | input
            {"model":"m","input":{"text":"x"}}                         | input
            {"model":"m","input":["a",""]}                             | input[1]
            {"model":"m","input":["a",7]}                              | input[1]
            {"model":"m","input":[true]}                               | input[0]
            {"model":"m","input":[null]}                               | input[0]
            {"model":"m","input":[1,-2]}                               | input[1]
            {"model":"m","input":[1,2.5]}                              | input[1]
            {"model":"m","input":[1,"a"]}                              | input[1]
            {"model":"m","input":[1,99999999999]}                      | input[1]
            {"model":"m","input":[[1],[]]}                             | input[1]
            {"model":"m","input":[[1],2]}                              | input[1]
            {"model":"m","input":[[1],[2,"x"]]}                        | input[1][1]
            {"model":"m","input":"x","encoding_format":"int8"}         | encoding_format
            {"model":"m","input":"x","encoding_format":1}              | encoding_format
            {"model":"m","input":"x","dimensions":0}                   | dimensions
            {"model":"m","input":"x","dimensions":-3}                  | dimensions
            {"model":"m","input":"x","dimensions":1.5}                 | dimensions
            {"model":"m","input":"x","dimensions":"256"}               | dimensions
            {"model":"m","input":"x","user":5}                         | user
            """)
    void read_invalid_400NamingTheField(String body, String param) {
        GatewayException e = assertThrows(GatewayException.class, () -> read(body));
        assertEquals(ErrorKind.INVALID_REQUEST, e.kind());
        assertEquals(400, e.status());
        assertEquals(param, e.param());
        assertEquals("invalid_value", e.code());
    }

    @Test
    void read_notJson_invalidJson() {
        assertEquals(ErrorKind.INVALID_JSON, assertThrows(GatewayException.class, () -> read("{\"model\":")).kind());
        assertEquals(ErrorKind.INVALID_JSON, assertThrows(GatewayException.class,
                () -> read("{\"model\":\"m\",\"input\":\"a\",\"input\":\"b\"}")).kind(), "duplicate keys");
        assertEquals(ErrorKind.INVALID_REQUEST, assertThrows(GatewayException.class, () -> read("[]")).kind());
        assertEquals(ErrorKind.INVALID_REQUEST, assertThrows(GatewayException.class, () -> read("")).kind());
    }

    @Test
    void read_errorMessages_neverQuoteTheInput() {
        String secret = "my card is 4111-1111";
        GatewayException e = assertThrows(GatewayException.class,
                () -> read("{\"model\":\"m\",\"input\":[\"" + secret + "\",7]}"));
        assertFalse(e.getMessage().contains("4111"), e.getMessage());
    }
}
