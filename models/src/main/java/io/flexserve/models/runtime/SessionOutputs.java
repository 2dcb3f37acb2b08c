package io.flexserve.models.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/** Copies a run's float outputs out of native memory before the result is closed. */
public final class SessionOutputs {
  private SessionOutputs() {}

  /** Every output of {@code result} by name, flattened row-major, in output order. */
  public static Map<String, float[]> floats(OrtSession.Result result) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, OnnxValue> e : result) {
      FloatBuffer fb = ((OnnxTensor) e.getValue()).getFloatBuffer();
      float[] values = new float[fb.remaining()];
      fb.get(values);
      out.put(e.getKey(), values);
    }
    return out;
  }
}
