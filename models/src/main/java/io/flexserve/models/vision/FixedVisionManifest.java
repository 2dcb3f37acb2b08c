package io.flexserve.models.vision;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexserve.models.BundleFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code manifest.json} beside a user's own ONNX export of a RADIO (or any ViT) model, served as a
 * fixed, non-elastic model at one resolution (format {@value #FORMAT}, version {@value #VERSION}).
 * The graph is loaded by ONNX Runtime as it is (embedded or external weights).
 *
 * <pre>
 * {"format": "flexserve-onnx-vision", "version": 1, "name": "my-radio", "graph": "model.onnx",
 *  "resolution": 224, "patch": 16, "input": "pixels", "summary": "summary", "features": "features",
 *  "featuresLayout": "nlc", "normalizeInput": false, "mean": [0.481, 0.458, 0.408], "std": [0.269, 0.261, 0.276]}
 * </pre>
 *
 * @param graph ONNX file in this directory; input {@code [B, 3, R, R]} float
 * @param input the graph's image input name
 * @param summary output name of the summary, {@code [B, …]} (flattened per image); null if the
 *     export has none
 * @param features output name of the spatial features, {@code [B, N, H]} ({@code nlc}) or {@code
 *     [B, H, g, g]} ({@code nchw})
 * @param normalizeInput true when the graph expects normalised pixels (the server then applies mean
 *     and std); false when it takes RGB in [0, 1] and conditions them itself, as RADIO's {@code
 *     forward} does
 * @param mean per-channel mean (the padding colour of aspect-preserving resizes; normalisation when
 *     asked)
 */
public record FixedVisionManifest(
    String format,
    int version,
    String name,
    String graph,
    int resolution,
    int patch,
    String input,
    String summary,
    String features,
    String featuresLayout,
    boolean normalizeInput,
    List<Float> mean,
    List<Float> std) {
  public static final String FORMAT = "flexserve-onnx-vision";
  public static final int VERSION = 1;

  public FixedVisionManifest {
    BundleFormat.require(FORMAT, VERSION, format, version);
    if (patch <= 0 || resolution <= 0 || resolution % patch != 0) {
      throw new IllegalArgumentException(
          "resolution " + resolution + " must be a positive multiple of patch " + patch);
    }
    if (!"nlc".equals(featuresLayout) && !"nchw".equals(featuresLayout)) {
      throw new IllegalArgumentException(
          "featuresLayout must be nlc or nchw, got " + featuresLayout);
    }
    if (features == null || input == null || graph == null) {
      throw new IllegalArgumentException("graph, input and features are required");
    }
    mean = List.copyOf(mean == null ? VisionCheckpoint.CLIP_MEAN : mean);
    std = List.copyOf(std == null ? VisionCheckpoint.CLIP_STD : std);
  }

  /** The one menu entry: the model as exported, named {@code full@<resolution>}. */
  public VisionManifest.Variant variant() {
    return new VisionManifest.Variant(
        VisionManifest.Variant.name("full", resolution), "full", resolution, graph, 1.0, 1.0);
  }

  public static FixedVisionManifest read(Path dir) throws IOException {
    return new ObjectMapper()
        .readValue(dir.resolve(VisionManifest.FILE).toFile(), FixedVisionManifest.class);
  }
}
