package io.flexserve.models.vision;

import io.flexserve.models.onnx.WeightLayout;
import io.flexserve.models.weights.TensorLocation;
import io.flexserve.models.weights.WeightFileWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes {@link VisionWeights} to one weight file: the shared tensors once, plus the position
 * embedding resampled to every served resolution's grid ({@code pos.<resolution>}), computed here
 * once instead of in every graph.
 */
public final class VisionWeightFile {
  private VisionWeightFile() {}

  public static WeightLayout write(VisionWeights w, List<Integer> resolutions, Path file)
      throws IOException {
    VisionConfig c = w.config();
    Map<String, TensorLocation> at = new LinkedHashMap<>();
    try (WeightFileWriter out = new WeightFileWriter(file)) {
      at.put("cond.mean", out.write(toArray(c.mean())));
      at.put("cond.std", out.write(toArray(c.std())));
      at.put("patch", out.write(w.patchEmbed()));
      at.put("patchBias", out.write(w.patchBias()));
      at.put("prefix", out.write(w.prefix()));
      for (int r : resolutions) {
        at.put(
            posKey(r),
            out.write(PositionEmbedding.resample(w.pos(), c.posGrid(), c.grid(r), c.hidden())));
      }
      at.put("norm.scale", out.write(w.normScale()));
      at.put("norm.bias", out.write(w.normBias()));
      for (int l = 0; l < w.layers().size(); l++) {
        VisionWeights.Layer b = w.layers().get(l);
        Object[][] named = {
          {"norm1Scale", b.norm1Scale()},
          {"norm1Bias", b.norm1Bias()},
          {"qT", b.qT()},
          {"q", b.q()},
          {"kT", b.kT()},
          {"k", b.k()},
          {"vT", b.vT()},
          {"v", b.v()},
          {"o", b.o()},
          {"oBias", b.oBias()},
          {"norm2Scale", b.norm2Scale()},
          {"norm2Bias", b.norm2Bias()},
          {"upT", b.upT()},
          {"upBias", b.upBias()},
          {"down", b.down()},
          {"downBias", b.downBias()}
        };
        for (Object[] t : named) {
          at.put(WeightLayout.layerKey(l, (String) t[0]), out.write((float[]) t[1]));
        }
      }
    }
    return new WeightLayout(file.getFileName().toString(), at);
  }

  static String posKey(int resolution) {
    return "pos." + resolution;
  }

  private static float[] toArray(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
