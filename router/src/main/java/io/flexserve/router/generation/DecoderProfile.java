package io.flexserve.router.generation;

/**
 * How fast one decoder sub-network runs on this server, as measured when the model loaded.
 *
 * @param name sub-network name
 * @param prefillMsPerToken prefill cost per prompt token
 * @param decodeMs one decode step with a single sequence in the batch
 * @param decodeMsPerExtraRow what each further sequence in the same batch adds to a step
 * @param perplexity held-back perplexity from conversion; lower is more accurate
 */
public record DecoderProfile(
    String name,
    double prefillMsPerToken,
    double decodeMs,
    double decodeMsPerExtraRow,
    double perplexity) {
  public DecoderProfile {
    if (!(prefillMsPerToken >= 0) || !(decodeMs > 0) || !(decodeMsPerExtraRow >= 0)) {
      throw new IllegalArgumentException(
          "bad profile for "
              + name
              + ": prefill/token "
              + prefillMsPerToken
              + " ms, decode "
              + decodeMs
              + " ms, per extra row "
              + decodeMsPerExtraRow
              + " ms");
    }
  }

  /** One decode step of a batch of {@code rows} sequences on this sub-network. */
  public double stepMs(int rows) {
    return rows <= 0 ? 0 : decodeMs + (rows - 1) * decodeMsPerExtraRow;
  }
}
