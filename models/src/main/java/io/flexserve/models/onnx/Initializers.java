package io.flexserve.models.onnx;

import io.flexserve.models.onnx.proto.Onnx.GraphProto;
import io.flexserve.models.onnx.proto.Onnx.TensorProto;
import io.flexserve.models.weights.TensorLocation;
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
      if (t.getDataType() == TensorProto.DataType.FLOAT_VALUE
          && t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
        out.put(t.getName(), t);
      }
    }
    return out;
  }

  /**
   * Where each float32 initializer stored as external data lives in its data file, by name, in
   * graph order: the {@code offset} and {@code length} entries the graph builder wrote. A nested
   * bundle's full sub-network names every tensor of its weight file at full size, so its graph is
   * the weight file's table of contents.
   */
  public static Map<String, TensorLocation> externalLocations(GraphProto graph) {
    Map<String, TensorLocation> out = new LinkedHashMap<>();
    for (TensorProto t : graph.getInitializerList()) {
      if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE
          || t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
        continue;
      }
      long offset = 0;
      long length = -1;
      for (var entry : t.getExternalDataList()) {
        switch (entry.getKey()) {
          case "offset" -> offset = Long.parseLong(entry.getValue());
          case "length" -> length = Long.parseLong(entry.getValue());
          default -> {}
        }
      }
      if (length < 0) {
        throw new IllegalArgumentException(
            "external initializer " + t.getName() + " has no length");
      }
      out.put(t.getName(), new TensorLocation(offset, length / 4));
    }
    return out;
  }

  /**
   * The values of an embedded float32 tensor, row-major (raw_data is little-endian by the ONNX
   * spec).
   */
  public static float[] floats(TensorProto t) {
    if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
      throw new IllegalArgumentException(
          "initializer " + t.getName() + " is not float32 (data_type " + t.getDataType() + ")");
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
