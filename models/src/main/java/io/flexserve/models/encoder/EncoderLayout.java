package io.flexserve.models.encoder;

import io.flexserve.models.weights.TensorLocation;
import java.util.Map;

/**
 * Where each tensor of an {@link EncoderWeights} lives in the bundle's weight file, by key. Keys are
 * {@code emb.word, emb.pos, emb.type0, emb.norm.scale, emb.norm.bias} and {@code l<i>.<tensor>} with tensor one of
 * the {@link EncoderWeights.Layer} component names. Locations cover the full tensors; sub-networks take prefixes.
 *
 * @param weightFile file name of the weight file, relative to the bundle directory
 */
public record EncoderLayout(String weightFile, Map<String, TensorLocation> tensors) {
  public EncoderLayout {
    tensors = Map.copyOf(tensors);
  }

  public TensorLocation get(String key) {
    TensorLocation location = tensors.get(key);
    if (location == null) {
      throw new IllegalArgumentException("weight file has no tensor '" + key + "'");
    }
    return location;
  }

  public static String layerKey(int layer, String tensor) {
    return "l" + layer + "." + tensor;
  }
}
