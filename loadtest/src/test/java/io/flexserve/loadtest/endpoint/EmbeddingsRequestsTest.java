package io.flexserve.loadtest.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class EmbeddingsRequestsTest {
    private static final Endpoint LOCAL = Endpoint.parse("http://127.0.0.1:8080", false);

    @Test
    void body_oneInputPerRequest_isAString() {
        EmbeddingsRequests requests = requests(new Payloads(List.of("first", "say \"hi\"\n"), 1), OptionalDouble.empty(), false);

        assertEquals("{\"model\":\"all-minilm-l6-v2\",\"input\":\"first\"}", requests.body(0));
        assertEquals("{\"model\":\"all-minilm-l6-v2\",\"input\":\"say \\\"hi\\\"\\n\"}", requests.body(1));
        assertEquals(requests.body(0), requests.body(2));
    }

    @Test
    void body_severalInputs_isAnArrayTakenRoundRobin() {
        EmbeddingsRequests requests = requests(new Payloads(List.of("a", "b", "c"), 2), OptionalDouble.empty(), false);

        assertEquals("{\"model\":\"all-minilm-l6-v2\",\"input\":[\"a\",\"b\"]}", requests.body(0));
        assertEquals("{\"model\":\"all-minilm-l6-v2\",\"input\":[\"c\",\"a\"]}", requests.body(1));
    }

    @Test
    void build_targetAndStrict_setRoutingHeaders() {
        HttpRequest request = requests(Payloads.builtIn(1), OptionalDouble.of(25), true).build(3);

        assertEquals("POST", request.method());
        assertEquals(LOCAL.embeddings(), request.uri());
        assertEquals(Optional.of("25"), request.headers().firstValue("X-Latency-Target-Ms"));
        assertEquals(Optional.of("strict"), request.headers().firstValue("X-Deadline-Policy"));
        assertEquals(Optional.of(Duration.ofSeconds(30)), request.timeout());
    }

    @Test
    void build_noTargetBestEffort_leavesHeadersOut() {
        HttpRequest request = requests(Payloads.builtIn(1), OptionalDouble.empty(), false).build(0);

        assertFalse(request.headers().firstValue("X-Latency-Target-Ms").isPresent());
        assertFalse(request.headers().firstValue("X-Deadline-Policy").isPresent());
    }

    @Test
    void millisHeader_keepsFractionsOnlyWhenPresent() {
        assertEquals("50", EmbeddingsRequests.millisHeader(50.0));
        assertEquals("12.5", EmbeddingsRequests.millisHeader(12.5));
    }

    @Test
    void payloads_builtIn_haveTwentyTexts() {
        assertEquals(20, Payloads.builtIn(1).texts().size());
    }

    @Test
    void invalidValues_failFast() {
        assertThrows(IllegalArgumentException.class, () -> new Payloads(List.of(), 1));
        assertThrows(IllegalArgumentException.class, () -> new Payloads(List.of(" "), 1));
        assertThrows(IllegalArgumentException.class, () -> new Payloads(List.of("a"), 0));
        assertThrows(IllegalArgumentException.class, () -> requests(Payloads.builtIn(1), OptionalDouble.of(-1), false));
        assertThrows(IllegalArgumentException.class, () -> new EmbeddingsRequests(LOCAL, " ", Payloads.builtIn(1),
                OptionalDouble.empty(), false, Duration.ofSeconds(1)));
    }

    private static EmbeddingsRequests requests(Payloads payloads, OptionalDouble target, boolean strict) {
        return new EmbeddingsRequests(LOCAL, "all-minilm-l6-v2", payloads, target, strict, Duration.ofSeconds(30));
    }
}
