package io.flexserve.convert.llm;

import ai.onnxruntime.OrtException;
import io.flexserve.models.Progress;
import io.flexserve.models.llm.DecoderGraph;
import io.flexserve.models.llm.DecoderSession;
import io.flexserve.models.llm.DecoderSubnet;
import io.flexserve.models.llm.DecoderWeights;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import io.flexserve.models.onnx.WeightLayout;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.weights.MappedWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs calibration windows through a decoder that exists only as in-memory weights, through scratch
 * files in a working directory (deleted afterwards): the dense-model probe that ranking and
 * compression statistics read, and held-back perplexity of a weight variant.
 */
final class CalibrationProbe {
  private CalibrationProbe() {}

  /**
   * Receives one window's probe outputs, flattened row-major ({@link DecoderGraph} documents the
   * names).
   */
  interface Sink {
    void window(int tokens, Map<String, float[]> outputs);
  }

  /**
   * Runs the full-model probe graph of {@code weights} over {@code windows}, one window at a time.
   */
  static void probe(
      DecoderWeights weights,
      List<long[]> windows,
      Path dir,
      SessionConfig sessions,
      Progress progress,
      String step,
      Sink sink)
      throws IOException, OrtException {
    withFullModel(
        weights,
        true,
        dir,
        sessions,
        probe -> {
          for (int i = 0; i < windows.size(); i++) {
            long[] w = windows.get(i);
            sink.window(w.length, probe.probe(w));
            progress.update(step, i + 1, windows.size());
          }
          return null;
        });
  }

  /**
   * Perplexity of the full model with {@code weights} over {@code windows} (each scored on its
   * own).
   */
  static double perplexity(
      DecoderWeights weights, List<long[]> windows, Path dir, SessionConfig sessions)
      throws IOException, OrtException {
    return withFullModel(weights, false, dir, sessions, session -> perplexity(session, windows));
  }

  private interface SessionWork<T> {
    T run(DecoderSession session) throws OrtException;
  }

  /**
   * Opens the full model of {@code weights} through scratch files in {@code dir}, runs {@code
   * work}, deletes them.
   */
  private static <T> T withFullModel(
      DecoderWeights weights, boolean probes, Path dir, SessionConfig sessions, SessionWork<T> work)
      throws IOException, OrtException {
    LlamaConfig c = weights.config();
    Path file = dir.resolve("scratch-weights.bin");
    Path graph = dir.resolve("scratch.onnx");
    WeightLayout layout = DecoderWeightFile.write(weights, file);
    DecoderSubnet full = DecoderSubnet.full(c);
    Files.write(graph, DecoderGraph.build(c, full, layout, probes).toByteArray());
    try (DecoderSession session =
        DecoderSession.open(graph, MappedWeights.map(file), sessions, c, full)) {
      return work.run(session);
    } finally {
      Files.deleteIfExists(graph);
      Files.deleteIfExists(file);
    }
  }

  static double perplexity(DecoderSession session, List<long[]> windows) throws OrtException {
    return Perplexity.ofWindows(session, windows);
  }
}
