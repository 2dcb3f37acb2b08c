package io.flexserve.models.llm;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.runtime.SharedWeightSession;
import io.flexserve.models.weights.MappedWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The LM head of one quantized precision ({@code DecoderGraph#buildHead}) open once and shared by
 * every entry of that precision: each ONNX Runtime session pre-packs its own copy of the
 * MatMulNBits weights it reads, and the head is the largest of them. Thread-safe, as ONNX Runtime
 * sessions are.
 */
public final class DecoderHead implements AutoCloseable {
  private final SharedWeightSession.Opened opened;

  private DecoderHead(SharedWeightSession.Opened opened) {
    this.opened = opened;
  }

  public static DecoderHead open(Path graph, MappedWeights weights, SessionConfig sessions)
      throws IOException, OrtException {
    return new DecoderHead(
        SharedWeightSession.open(
            OrtEnvironment.getEnvironment(), graph, weights, sessions.toOptions()));
  }

  /**
   * Logits {@code [B, n, V]} row-major of the hidden state {@code [B, n, H]} a sub-network graph
   * returned.
   */
  float[] logits(OnnxTensor hidden) throws OrtException {
    try (OrtSession.Result r = opened.session().run(Map.of(DecoderGraph.HIDDEN, hidden))) {
      return DecoderSession.floats(r.get(0));
    }
  }

  @Override
  public void close() throws OrtException {
    opened.close();
  }
}
