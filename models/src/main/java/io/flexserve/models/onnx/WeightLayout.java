package io.flexserve.models.onnx;

import io.flexserve.models.onnx.proto.Onnx.TensorProto;
import io.flexserve.models.weights.TensorLocation;
import java.util.Map;

/**
 * Where each tensor of a model lives in its bundle's weight file, by key (model-specific keys such
 * as {@code emb.word} or {@code l<i>.<tensor>}). Locations cover the full tensors; sub-networks
 * take prefixes.
 *
 * @param weightFile file name of the weight file, relative to the bundle directory
 */
public record WeightLayout(String weightFile, Map<String, TensorLocation> tensors) {
  public WeightLayout {
    tensors = Map.copyOf(tensors);
  }

  public TensorLocation get(String key) {
    TensorLocation location = tensors.get(key);
    if (location == null) {
      throw new IllegalArgumentException("weight file has no tensor '" + key + "'");
    }
    return location;
  }

  /**
   * Declares the first {@code dims}-many floats of tensor {@code key} as an external initializer of
   * {@code g}: how a sub-network graph reads its prefix of a nested tensor without a copy.
   */
  public String initializer(GraphBuilder g, String key, long... dims) {
    long floats = 1;
    for (long d : dims) {
      floats *= d;
    }
    return g.externalFloat(key, weightFile, get(key).prefix(floats).offset(), dims);
  }

  /**
   * Declares the first {@code dims}-many bytes of packed tensor {@code key} as an external uint8
   * initializer of {@code g} (MatMulNBits codes and zero points).
   */
  public String byteInitializer(GraphBuilder g, String key, long... dims) {
    long bytes = 1;
    for (long d : dims) {
      bytes *= d;
    }
    TensorLocation at = get(key);
    if (bytes <= 0 || bytes > at.bytes()) {
      throw new IllegalArgumentException(
          "prefix of " + bytes + " bytes outside tensor '" + key + "' of " + at.bytes());
    }
    return g.externalTensor(key, weightFile, at.offset(), TensorProto.DataType.UINT8, dims);
  }

  public static String layerKey(int layer, String tensor) {
    return "l" + layer + "." + tensor;
  }
}
