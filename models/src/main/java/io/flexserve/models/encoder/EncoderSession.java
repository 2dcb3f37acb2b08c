package io.flexserve.models.encoder;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.runtime.SessionOutputs;
import io.flexserve.models.runtime.SharedWeightSession;
import io.flexserve.models.text.TokenBatch;
import io.flexserve.models.weights.MappedWeights;
import java.io.IOException;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * One encoder sub-network graph open in ONNX Runtime. {@link #embed} may be called from several
 * threads at once (ONNX Runtime sessions are thread-safe for {@code run}); closing while a run is
 * in flight is the caller's error.
 */
public final class EncoderSession implements AutoCloseable {
  private final OrtEnvironment env;
  private final SharedWeightSession.Opened opened;
  private final int hidden;

  private EncoderSession(OrtEnvironment env, SharedWeightSession.Opened opened, int hidden) {
    this.env = env;
    this.opened = opened;
    this.hidden = hidden;
  }

  /** Opens {@code graph}, whose weights are external data in the file behind {@code weights}. */
  public static EncoderSession open(
      Path graph, MappedWeights weights, SessionConfig config, int hidden)
      throws IOException, OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    return new EncoderSession(
        env, SharedWeightSession.open(env, graph, weights, config.toOptions()), hidden);
  }

  /** Sentence embeddings, L2-normalised, {@code [batch][hidden]}. */
  public float[][] embed(TokenBatch batch) throws OrtException {
    return embed(batch, null);
  }

  /**
   * As {@link #embed(TokenBatch)}, run with {@code options} (e.g. a {@link TimedRun}'s), or
   * defaults when null.
   */
  public float[][] embed(TokenBatch batch, OrtSession.RunOptions options) throws OrtException {
    Map<String, float[]> out = run(batch, true, options);
    float[] flat = out.get("sentence_embedding"); // [B, H]
    float[][] rows = new float[batch.batch()][hidden];
    for (int b = 0; b < rows.length; b++) {
      System.arraycopy(flat, b * hidden, rows[b], 0, hidden);
    }
    return rows;
  }

  /** Every graph output by name, flattened row-major; for probe graphs (importance ranking). */
  public Map<String, float[]> runAll(TokenBatch batch) throws OrtException {
    return run(batch, false, null);
  }

  private Map<String, float[]> run(
      TokenBatch batch, boolean embeddingOnly, OrtSession.RunOptions options) throws OrtException {
    long[] shape = {batch.batch(), batch.sequence()};
    try (OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(batch.inputIds()), shape);
        OnnxTensor mask =
            OnnxTensor.createTensor(env, LongBuffer.wrap(batch.attentionMask()), shape);
        OrtSession.Result result =
            run(
                Map.of("input_ids", ids, "attention_mask", mask),
                embeddingOnly
                    ? java.util.Set.of("sentence_embedding")
                    : opened.session().getOutputNames(),
                options)) {
      return SessionOutputs.floats(result);
    }
  }

  private OrtSession.Result run(
      Map<String, OnnxTensor> inputs, java.util.Set<String> outputs, OrtSession.RunOptions options)
      throws OrtException {
    return options == null
        ? opened.session().run(inputs, outputs)
        : opened.session().run(inputs, outputs, options);
  }

  @Override
  public void close() throws OrtException {
    opened.close();
  }
}
