package io.flexserve.models.vision;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.runtime.SessionOutputs;
import io.flexserve.models.runtime.SharedWeightSession;
import io.flexserve.models.weights.MappedWeights;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * One vision graph (a sub-network at one resolution) open in ONNX Runtime, weights shared through
 * {@link SharedWeightSession}. {@link #run} is thread-safe; closing during a run is the caller's
 * error.
 */
public final class VisionSession implements AutoCloseable {
  private final OrtEnvironment env;
  private final SharedWeightSession.Opened opened;
  private final int resolution;

  private VisionSession(OrtEnvironment env, SharedWeightSession.Opened opened, int resolution) {
    this.env = env;
    this.opened = opened;
    this.resolution = resolution;
  }

  public static VisionSession open(
      Path graph, MappedWeights weights, SessionConfig config, int resolution)
      throws IOException, OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    return new VisionSession(
        env, SharedWeightSession.open(env, graph, weights, config.toOptions()), resolution);
  }

  /**
   * Runs a batch.
   *
   * @param pixels {@code [B, 3, R, R]} planar RGB in [0, 1], B = {@code images}
   * @return {@code summary [B·C·H]} and {@code features [B·N·H]}, row-major
   */
  public VisionOutput run(float[] pixels, int images) throws OrtException {
    return run(pixels, images, (OrtSession.RunOptions) null);
  }

  /**
   * As {@link #run(float[], int)}, with {@code options} (e.g. a {@link TimedRun}'s), or defaults
   * when null.
   */
  public VisionOutput run(float[] pixels, int images, OrtSession.RunOptions options)
      throws OrtException {
    Map<String, float[]> out =
        run(pixels, images, Set.of(VisionGraph.SUMMARY, VisionGraph.FEATURES), options);
    return new VisionOutput(images, out.get(VisionGraph.SUMMARY), out.get(VisionGraph.FEATURES));
  }

  /** Every output by name (probe graphs). */
  public Map<String, float[]> runAll(float[] pixels, int images) throws OrtException {
    return run(pixels, images, null, null);
  }

  private Map<String, float[]> run(
      float[] pixels, int images, Set<String> outputs, OrtSession.RunOptions options)
      throws OrtException {
    long[] shape = {images, 3, resolution, resolution};
    if (pixels.length != images * 3L * resolution * resolution) {
      throw new IllegalArgumentException(
          pixels.length
              + " floats is not "
              + images
              + " images of 3×"
              + resolution
              + "×"
              + resolution);
    }
    try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(pixels), shape);
        OrtSession.Result result =
            options == null
                ? opened
                    .session()
                    .run(
                        Map.of(VisionGraph.INPUT, input),
                        outputs == null ? opened.session().getOutputNames() : outputs)
                : opened
                    .session()
                    .run(
                        Map.of(VisionGraph.INPUT, input),
                        outputs == null ? opened.session().getOutputNames() : outputs,
                        options)) {
      return SessionOutputs.floats(result);
    }
  }

  @Override
  public void close() throws OrtException {
    opened.close();
  }
}
