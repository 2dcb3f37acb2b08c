package io.flexserve.loadtest.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelMenuTest {
  private static final String BODY =
      "{\"object\":\"list\",\"data\":["
          + "{\"id\":\"other\",\"state\":\"READY\",\"subnets\":[{\"name\":\"full\",\"quality\":0.3}]},"
          + "{\"id\":\"all-minilm-l6-v2\",\"state\":\"READY\",\"subnets\":["
          + "{\"name\":\"full\",\"layers\":[0,1],\"quality\":1.0,\"latency_ms\":[{\"tokens\":8,\"p90_ms\":5.0}]},"
          + "{\"name\":\"mlp25-heads50-l4\",\"quality\":0.4721}]}]}";

  @Test
  void parse_picksTheModelsSubnetQualities() {
    assertEquals(
        Map.of("full", 1.0, "mlp25-heads50-l4", 0.4721), ModelMenu.parse(BODY, "all-minilm-l6-v2"));
  }

  @Test
  void parse_unknownModelOrMalformedBody_isEmpty() {
    assertEquals(Map.of(), ModelMenu.parse(BODY, "missing"));
    assertEquals(Map.of(), ModelMenu.parse("{\"data\":[{\"id\":1}]}", "all-minilm-l6-v2"));
    assertEquals(Map.of(), ModelMenu.parse("<html>", "all-minilm-l6-v2"));
  }
}
