package io.flexserve.models.encoder;

import io.flexserve.models.onnx.WeightLayout;
import io.flexserve.models.weights.TensorLocation;
import io.flexserve.models.weights.WeightFileWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes {@link EncoderWeights} to one weight file and returns the {@link WeightLayout} describing
 * it.
 */
public final class EncoderWeightFile {
  private EncoderWeightFile() {}

  public static WeightLayout write(EncoderWeights w, Path file) throws IOException {
    Map<String, TensorLocation> at = new LinkedHashMap<>();
    try (WeightFileWriter out = new WeightFileWriter(file)) {
      at.put("emb.word", out.write(w.wordEmbeddings()));
      at.put("emb.pos", out.write(w.positionEmbeddings()));
      at.put("emb.type0", out.write(w.tokenType0()));
      at.put("emb.norm.scale", out.write(w.embNormScale()));
      at.put("emb.norm.bias", out.write(w.embNormBias()));
      for (int l = 0; l < w.layers().size(); l++) {
        EncoderWeights.Layer b = w.layers().get(l);
        put(at, out, l, "qT", b.qT());
        put(at, out, l, "q", b.q());
        put(at, out, l, "kT", b.kT());
        put(at, out, l, "k", b.k());
        put(at, out, l, "vT", b.vT());
        put(at, out, l, "v", b.v());
        put(at, out, l, "o", b.o());
        put(at, out, l, "oBias", b.oBias());
        put(at, out, l, "attnNormScale", b.attnNormScale());
        put(at, out, l, "attnNormBias", b.attnNormBias());
        put(at, out, l, "upT", b.upT());
        put(at, out, l, "upBias", b.upBias());
        put(at, out, l, "down", b.down());
        put(at, out, l, "downBias", b.downBias());
        put(at, out, l, "outNormScale", b.outNormScale());
        put(at, out, l, "outNormBias", b.outNormBias());
      }
    }
    return new WeightLayout(file.getFileName().toString(), at);
  }

  private static void put(
      Map<String, TensorLocation> at,
      WeightFileWriter out,
      int layer,
      String tensor,
      float[] values) {
    at.put(WeightLayout.layerKey(layer, tensor), out.write(values));
  }
}
