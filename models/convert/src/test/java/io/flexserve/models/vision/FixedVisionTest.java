package io.flexserve.models.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.convert.vision.ElasticVisionConverter;
import io.flexserve.convert.vision.SyntheticVision;
import io.flexserve.models.Progress;
import io.flexserve.models.runtime.SessionConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's own ONNX export served as a fixed model: here the full 64 px graph of a converted
 * bundle, copied out with its weight file (a valid standalone ONNX model with external data), must
 * compute what the elastic bundle does.
 */
class FixedVisionTest {
  @TempDir Path dir;

  @Test
  void fixedExport_computesWhatTheBundleComputes_andItsManifestIsChecked() throws Exception {
    SyntheticVision.write(dir.resolve("ckpt"), SyntheticVision.preset("tiny"), 11, "F32");
    ElasticVisionConverter.convert(
        new ElasticVisionConverter.Job(
            "tiny",
            dir.resolve("ckpt"),
            VisionCheckpoint.Options.NONE,
            List.of(64),
            ElasticVisionConverter.syntheticCalibration(4, 64),
            dir.resolve("bundle")),
        SessionConfig.cpu(1),
        Progress.NONE);
    Path fixed = Files.createDirectories(dir.resolve("export"));
    Files.copy(dir.resolve("bundle/full@64.onnx"), fixed.resolve("model.onnx"));
    Files.copy(dir.resolve("bundle/weights.bin"), fixed.resolve("weights.bin"));
    Files.writeString(
        fixed.resolve("manifest.json"),
        "{\"format\":\"flexserve-onnx-vision\",\"version\":1,\"name\":\"export\","
            + "\"graph\":\"model.onnx\",\"resolution\":64,\"patch\":16,\"input\":\"pixels\",\"summary\":\"summary\","
            + "\"features\":\"features\",\"featuresLayout\":\"nlc\",\"normalizeInput\":false}");
    assertTrue(VisionManifest.isVisionBundle(fixed));

    float[] pixels =
        Pixels.of(Pixels.synthetic(70, 3), 64, Pixels.Resize.FIT, VisionCheckpoint.CLIP_MEAN);
    try (VisionBackbone export = VisionBackbone.load(fixed, SessionConfig.cpu(1));
        ElasticVision bundle =
            ElasticVision.load(
                dir.resolve("bundle"), SessionConfig.cpu(1), v -> v.equals("full@64"))) {
      assertTrue(export instanceof FixedVision);
      assertEquals(
          List.of("full@64"),
          export.variants().stream().map(VisionManifest.Variant::name).toList());
      VisionOutput a = export.run("full@64", pixels, 1);
      VisionOutput b = bundle.run("full@64", pixels, 1);
      assertArrayEquals(b.summary(), a.summary(), 0f);
      assertArrayEquals(b.features(), a.features(), 0f);
      assertThrows(IllegalArgumentException.class, () -> export.run("mlp50@64", pixels, 1));
    }

    Files.writeString(
        fixed.resolve("manifest.json"),
        Files.readString(fixed.resolve("manifest.json"))
            .replace("\"features\":\"features\"", "\"features\":\"patch_tokens\""));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> FixedVision.load(fixed, SessionConfig.cpu(1)));
    assertTrue(e.getMessage().contains("output patch_tokens"), e.getMessage());
  }
}
