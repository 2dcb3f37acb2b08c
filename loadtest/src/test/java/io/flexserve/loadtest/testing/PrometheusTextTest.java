package io.flexserve.loadtest.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
  private static final String TEXT =
      """
            # HELP flexserve_requests_total Requests answered.
            # TYPE flexserve_requests_total counter
            flexserve_requests_total{model="m",subnet="full",endpoint="/v1/embeddings",status="200",} 5.0
            flexserve_requests_total{model="m",subnet="small",endpoint="/v1/embeddings",status="200",} 2.0
            flexserve_requests_total{model="other",subnet="full",endpoint="/v1/embeddings",status="200",} 7.0
            flexserve_rejections_total{model="m",reason="queue_full",} 3.0
            odd{label="a \\"quoted\\", comma"} 1e3
            process_cpu_seconds_total 12.5
            """;

  @Test
  void sum_filtersByLabels() {
    PrometheusText p = PrometheusText.parse(TEXT);

    assertEquals(7.0, p.sum("flexserve_requests_total", Map.of("model", "m", "status", "200")));
    assertEquals(14.0, p.sum("flexserve_requests_total", Map.of()));
    assertEquals(
        0.0, p.sum("flexserve_rejections_total", Map.of("reason", "deadline_unsatisfiable")));
    assertEquals(1000.0, p.sum("odd", Map.of("label", "a \"quoted\", comma")));
    assertEquals(12.5, p.sum("process_cpu_seconds_total", Map.of()));
  }

  @Test
  void sumBy_groupsByALabel() {
    assertEquals(
        Map.of("full", 5.0, "small", 2.0),
        PrometheusText.parse(TEXT)
            .sumBy("flexserve_requests_total", Map.of("model", "m"), "subnet"));
  }
}
