package io.flexserve.server.api;

import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * {@code GET /v1/models}: OpenAI's model list, each model extended with its menu of sub-networks.
 */
@Serdeable
public record ModelsResponse(String object, List<Model> data) {

  /**
   * @param state LOADING, READY or FAILED
   * @param subnets best (most accurate) first; empty until the model is ready
   */
  @Serdeable
  public record Model(String id, String object, long created, String owned_by, String state, List<Subnet> subnets) {}

  /**
   * @param relative_size transformer-block parameters relative to the full model
   * @param quality mean cosine similarity to the full model's embeddings on held-out sentences (1.0 = full)
   * @param latency_ms measured latency (p90) by input size in padded tokens, on this machine, at load time
   */
  @Serdeable
  public record Subnet(String name, List<Integer> layers, int heads, int mlp_width, double relative_size, double quality,
                       List<LatencyPoint> latency_ms) {}

  @Serdeable
  public record LatencyPoint(int tokens, double p90_ms) {}
}
