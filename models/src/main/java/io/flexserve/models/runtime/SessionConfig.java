package io.flexserve.models.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * How sessions are created.
 *
 * @param intraOpThreads threads one run may use; 0 lets ONNX Runtime choose (all cores)
 * @param device {@code cpu} or {@code cuda}; CUDA needs the onnxruntime_gpu artifact and falls back
 *     to CPU otherwise
 * @param spinning whether idle ONNX Runtime threads busy-wait for the next run (lower latency when
 *     cores are spare)
 */
public record SessionConfig(int intraOpThreads, String device, boolean spinning) {
  public SessionConfig {
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intraOpThreads must be ≥ 0, got " + intraOpThreads);
    }
    if (!device.equals("cpu") && !device.equals("cuda")) {
      throw new IllegalArgumentException("device must be cpu or cuda, got '" + device + "'");
    }
  }

  public static SessionConfig cpu(int intraOpThreads) {
    return new SessionConfig(intraOpThreads, "cpu", false);
  }

  /**
   * Fresh options for one session (options objects are consumed by {@link
   * SharedWeightSession#open}).
   */
  public OrtSession.SessionOptions toOptions() throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(intraOpThreads);
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    if (!spinning) {
      // Idle intra-op threads otherwise spin for a while after each run, taking the cores that the
      // HTTP and
      // scheduler threads need on a small machine.
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
    }
    if (device.equals("cuda")) {
      try {
        options.addCUDA(0);
        System.getLogger(SessionConfig.class.getName())
            .log(System.Logger.Level.INFO, "ONNX Runtime execution provider: CUDA (device 0)");
      } catch (OrtException e) {
        // the CPU-only artifact has no CUDA provider: serve on CPU rather than not at all
        System.getLogger(SessionConfig.class.getName())
            .log(
                System.Logger.Level.WARNING,
                "CUDA execution provider unavailable, using CPU: " + e.getMessage());
      }
    } else {
      System.getLogger(SessionConfig.class.getName())
          .log(System.Logger.Level.DEBUG, "ONNX Runtime execution provider: CPU");
    }
    return options;
  }
}
