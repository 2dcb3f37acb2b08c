package io.flexserve.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
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
  public record Model(
      String id,
      String object,
      long created,
      String owned_by,
      String state,
      List<Subnet> subnets) {}

  /**
   * One sub-network. Embedding models fill {@code heads, mlp_width, relative_size, quality,
   * latency_ms}; text generation models fill {@code layer_shapes, perplexity, prefill_ms_per_token,
   * decode_ms, precision, eora_rank}; the others are absent.
   *
   * @param relative_size transformer-block parameters relative to the full model
   * @param quality mean cosine similarity to the full model's embeddings on held-out sentences (1.0
   *     = full), or the bundle's own measure when it was converted or distilled with {@code
   *     --quality-set} (Spearman on labelled pairs)
   * @param latency_ms measured latency (p90) by input size in padded tokens, on this machine, at
   *     load time
   * @param layer_shapes per kept layer: index, kept KV groups, kept MLP neurons
   * @param perplexity on held-back calibration text from conversion, or on held-out text after
   *     distillation (lower is better)
   * @param decode_ms one decode step of one sequence, measured at load
   * @param precision what the entry's linear layers run in: {@code fp32}, {@code int8} or {@code
   *     int4}
   * @param eora_rank rank of the low-rank compensation the entry runs (0: none)
   */
  @Serdeable
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Subnet(
      String name,
      List<Integer> layers,
      Integer heads,
      Integer mlp_width,
      Double relative_size,
      Double quality,
      List<LatencyPoint> latency_ms,
      List<LayerShape> layer_shapes,
      Double perplexity,
      Double prefill_ms_per_token,
      Double decode_ms,
      String precision,
      Integer eora_rank) {
    /** An embedding or vision entry. */
    public Subnet(
        String name,
        List<Integer> layers,
        Integer heads,
        Integer mlp_width,
        Double relative_size,
        Double quality,
        List<LatencyPoint> latency_ms) {
      this(
          name,
          layers,
          heads,
          mlp_width,
          relative_size,
          quality,
          latency_ms,
          null,
          null,
          null,
          null,
          null,
          null);
    }
  }

  @Serdeable
  public record LayerShape(int index, int kv_groups, int mlp_width) {}

  @Serdeable
  public record LatencyPoint(int tokens, double p90_ms) {}
}
