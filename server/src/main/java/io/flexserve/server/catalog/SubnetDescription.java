package io.flexserve.server.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.flexserve.router.SubnetProfile;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * One sub-network as {@code GET /v1/models} lists it; each kind's {@link ServedModel#describe}
 * fills what it knows. One sub-network. Embedding models fill {@code heads, mlp_width,
 * relative_size, quality, latency_ms}; text generation models fill {@code layer_shapes, perplexity,
 * prefill_ms_per_token, decode_ms, precision, eora_rank}; the others are absent.
 *
 * @param relative_size transformer-block parameters relative to the full model
 * @param quality mean cosine similarity to the full model's embeddings on held-out sentences (1.0 =
 *     full), or the bundle's own measure when it was converted or distilled with {@code
 *     --quality-set} (Spearman on labelled pairs)
 * @param latency_ms measured latency (p90) by input size in padded tokens, on this machine, at load
 *     time
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
public record SubnetDescription(
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
  public SubnetDescription(
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

  @Serdeable
  public record LayerShape(int index, int kv_groups, int mlp_width) {}

  @Serdeable
  public record LatencyPoint(int tokens, double p90_ms) {}

  /**
   * An encoder or vision entry: its shape (null for a fixed export) and the router profile's
   * measured size, quality and latency curve.
   */
  public static SubnetDescription measured(
      SubnetProfile p, List<Integer> layers, Integer heads, Integer mlpWidth) {
    return new SubnetDescription(
        p.name(), layers, heads, mlpWidth, round(p.relativeSize()), round(p.quality()), latency(p));
  }

  /** A router profile's measured latency curve, as listed: milliseconds to the microsecond. */
  private static List<LatencyPoint> latency(SubnetProfile profile) {
    return profile.latency().points().stream()
        .map(p -> new LatencyPoint(p.tokens(), Math.round(p.millis() * 1000) / 1000.0))
        .toList();
  }

  /** Four decimals: what a reader compares, without float noise. */
  public static double round(double v) {
    return Math.round(v * 1e4) / 1e4;
  }
}
