package io.flexserve.models.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.convert.vision.ElasticVisionConverter;
import io.flexserve.convert.vision.SyntheticVision;
import io.flexserve.models.Progress;
import io.flexserve.models.llm.checkpoint.SafetensorsFile;
import io.flexserve.models.runtime.SessionConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The converted bundle's graphs against {@link VisionReference} on a generated RADIO checkpoint: at
 * the stored grid (64 px, no resampling) and at 48 px (position embedding resampled 4×4 → 3×3),
 * after importance permutation.
 */
class VisionGraphReferenceTest {
  @TempDir static Path dir;
  static VisionManifest manifest;

  @BeforeAll
  static void convert() throws Exception {
    SyntheticVision.write(dir.resolve("ckpt"), SyntheticVision.preset("tiny"), 7, "F32");
    manifest =
        ElasticVisionConverter.convert(
            new ElasticVisionConverter.Job(
                "tiny",
                dir.resolve("ckpt"),
                VisionCheckpoint.Options.NONE,
                List.of(64, 48),
                ElasticVisionConverter.syntheticCalibration(6, 64),
                dir.resolve("bundle")),
            SessionConfig.cpu(1),
            Progress.NONE);
  }

  @Test
  void fullGraph_matchesPlainJavaReference_atTwoResolutions() throws Exception {
    try (SafetensorsFile st = SafetensorsFile.open(VisionReference.weights(dir.resolve("ckpt")));
        ElasticVision vision =
            ElasticVision.load(
                dir.resolve("bundle"), SessionConfig.cpu(1), v -> v.startsWith("full@"))) {
      VisionReference reference =
          new VisionReference(st, SyntheticVision.PREFIX + "model.", 4, 2, 1e-6);
      for (int res : List.of(64, 48)) {
        float[] image =
            Pixels.of(
                Pixels.synthetic(80, 42 + res),
                res,
                Pixels.Resize.STRETCH,
                manifest.config().mean());
        float[] two = new float[2 * image.length];
        System.arraycopy(image, 0, two, 0, image.length);
        System.arraycopy(image, 0, two, image.length, image.length);
        VisionOutput out = vision.run("full@" + res, two, 2);
        double[][] want = reference.forward(image, res);
        double diffSummary = maxAbsDiff(want[0], out.summary(1));
        double diffFeatures = maxAbsDiff(want[1], out.features(1));
        System.out.printf(
            "vision reference check @%d px: max |diff| summary %.2e, features %.2e%n",
            res, diffSummary, diffFeatures);
        assertEquals(2 * 64, out.summaryWidth(), "2 CLS tokens × hidden 64");
        assertEquals((res / 16) * (res / 16) * 64, out.features(0).length);
        assertTrue(diffSummary <= 1e-4, "summary differs by " + diffSummary + " at " + res);
        assertTrue(diffFeatures <= 1e-4, "features differ by " + diffFeatures + " at " + res);
      }
    }
  }

  @Test
  void manifest_listsEveryPairBestFirst_fullAtLargestIsExact() {
    assertEquals(4 * 2, manifest.variants().size());
    VisionManifest.Variant best = manifest.variants().get(0);
    assertEquals("full@64", best.name());
    assertEquals(1.0, best.quality(), 1e-6);
    for (VisionManifest.Variant v : manifest.variants()) {
      assertTrue(v.relativeCost() > 0 && v.relativeCost() <= 1.0 + 1e-9, v.toString());
      assertTrue(
          v.quality() < 1.0 || v.name().equals("full@64") || v.name().startsWith("full@"),
          v.toString());
    }
    VisionManifest.Variant smallest =
        manifest.variants().stream()
            .filter(v -> v.name().equals("mlp25-heads50-l1@48"))
            .findFirst()
            .orElseThrow();
    assertTrue(smallest.relativeCost() < 0.3, "smallest pair costs " + smallest.relativeCost());
  }

  static double maxAbsDiff(double[] a, float[] b) {
    assertEquals(a.length, b.length);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
