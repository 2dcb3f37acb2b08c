package io.flexserve.loadtest.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.flexserve.loadtest.http.OutgoingRequest;
import io.flexserve.loadtest.workload.PlannedRequest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class EmbeddingsRequestsTest {
  private static final Endpoint LOCAL = Endpoint.parse("http://127.0.0.1:8080", false);

  @Test
  void body_oneInput_isAStringWithEscapes() {
    EmbeddingsRequests requests = requests(false);

    assertEquals(
        "{\"model\":\"all-minilm-l6-v2\",\"input\":\"first\"}", requests.body(List.of("first")));
    assertEquals(
        "{\"model\":\"all-minilm-l6-v2\",\"input\":\"say \\\"hi\\\"\\n\"}",
        requests.body(List.of("say \"hi\"\n")));
    assertEquals(
        "{\"model\":\"all-minilm-l6-v2\",\"input\":\"\\\\ \\t\\r\\u0001 é 東 /\"}",
        requests.body(List.of("\\ \t\r\u0001 é 東 /")));
  }

  @Test
  void body_severalInputs_isAnArray() {
    assertEquals(
        "{\"model\":\"all-minilm-l6-v2\",\"input\":[\"a\",\"b\"]}",
        requests(false).body(List.of("a", "b")));
  }

  @Test
  void build_targetAndStrict_setRoutingHeaders() {
    OutgoingRequest request = requests(true).build(planned(OptionalDouble.of(25)));

    assertEquals("POST", request.method());
    assertEquals(LOCAL.embeddings(), request.uri());
    assertEquals(Optional.of("25"), request.header("X-Latency-Target-Ms"));
    assertEquals(Optional.of("strict"), request.header("X-Deadline-Policy"));
    assertEquals(Duration.ofSeconds(30), request.timeout());
  }

  @Test
  void build_noTargetBestEffort_leavesHeadersOut() {
    OutgoingRequest request = requests(false).build(planned(OptionalDouble.empty()));

    assertFalse(request.header("X-Latency-Target-Ms").isPresent());
    assertFalse(request.header("X-Deadline-Policy").isPresent());
  }

  @Test
  void millisHeader_keepsFractionsOnlyWhenPresent_roundedToMicroseconds() {
    assertEquals("50", EmbeddingsRequests.millisHeader(50.0));
    assertEquals("12.5", EmbeddingsRequests.millisHeader(12.5));
    assertEquals("17.123", EmbeddingsRequests.millisHeader(17.12345678));
  }

  @Test
  void invalidValues_failFast() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new EmbeddingsRequests(LOCAL, " ", false, Duration.ofSeconds(1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new EmbeddingsRequests(LOCAL, "m", false, Duration.ZERO));
  }

  private static PlannedRequest planned(OptionalDouble target) {
    return new PlannedRequest(3, 0, List.of("text"), target);
  }

  private static EmbeddingsRequests requests(boolean strict) {
    return new EmbeddingsRequests(LOCAL, "all-minilm-l6-v2", strict, Duration.ofSeconds(30));
  }
}
