package io.switchboard.core.governance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code x-ratelimit-*} headers, written the way OpenAI writes them. */
class RateLimitHeadersTest {
    @ParameterizedTest
    @CsvSource({"0,0ms", "250,250ms", "999,999ms", "1000,1s", "1005,1.005s", "1050,1.05s", "1500,1.5s",
            "1010,1.01s", "1100,1.1s", "1120,1.12s", "1007,1.007s", "12500,12.5s", "59999,59.999s", "60000,1m0s",
            "61500,1m1s", "125000,2m5s"})
    void duration_asOpenAiWritesIt(long millis, String expected) {
        assertEquals(expected, Governance.duration(millis));
    }

    @Test
    void headers_requestsAndTokens() {
        Reservation r = new Reservation(null, 0, new Reservation.LimitState(60, 59, 12_340),
                new Reservation.LimitState(1000, 700, 50), 300, null);
        assertEquals(Map.of("x-ratelimit-limit-requests", "60", "x-ratelimit-remaining-requests", "59",
                "x-ratelimit-reset-requests", "12.34s", "x-ratelimit-limit-tokens", "1000",
                "x-ratelimit-remaining-tokens", "700", "x-ratelimit-reset-tokens", "50ms"), Governance.headers(r));
    }
}
