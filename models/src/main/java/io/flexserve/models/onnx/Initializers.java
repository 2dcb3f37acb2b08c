package io.flexserve.models.onnx;

import io.flexserve.models.onnx.proto.Onnx.GraphProto;
import io.flexserve.models.onnx.proto.Onnx.TensorProto;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads float initializers out of an ONNX graph. */
public final class Initializers {
  private Initializers() {}

  /** Float32 initializers with their data embedded in the model, by name, in graph order. */
  public static Map<String, TensorProto> floatTensors(GraphProto graph) {
    Map<String, TensorProto> out = new LinkedHashMap<>();
    for (TensorProto t : graph.getInitializerList()) {
      if (t.getDataType() == TensorProto.DataType.FLOAT_VALUE && t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
        out.put(t.getName(), t);
      }
    }
    return out;
  }

  /** The values of an embedded float32 tensor, row-major (raw_data is little-endian by the ONNX spec). */
  public static float[] floats(TensorProto t) {
    if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
      throw new IllegalArgumentException("initializer " + t.getName() + " is not float32 (data_type " + t.getDataType() + ")");
    }
    if (!t.getRawData().isEmpty()) {
      float[] out = new float[t.getRawData().size() / 4];
      t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
      return out;
    }
    float[] out = new float[t.getFloatDataCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = t.getFloatData(i);
    }
    return out;
  }
}
