package io.flexserve.server.vision;

import io.flexserve.convert.vision.ElasticVisionConverter;
import io.flexserve.convert.vision.SyntheticVision;
import io.flexserve.models.Progress;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.vision.VisionCheckpoint;
import io.flexserve.models.vision.VisionManifest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A model repository holding a tiny generated RADIO model (hidden 64, 2 blocks, patch 16, 2 CLS + 2
 * registers) converted at 64 and 32 px; built once into {@code target/} and reused by later test
 * classes.
 */
public final class VisionRepository {
  public static final String MODEL = "radio-tiny";

  private VisionRepository() {}

  public static synchronized Path ensure() throws Exception {
    Path repo = Path.of("target/test-vision-repo").toAbsolutePath();
    Path bundle = repo.resolve(MODEL);
    if (!Files.exists(bundle.resolve(VisionManifest.FILE))) {
      Path ckpt = Path.of("target/test-vision-ckpt").toAbsolutePath();
      SyntheticVision.write(ckpt, SyntheticVision.preset("tiny"), 3, "F32");
      ElasticVisionConverter.convert(
          new ElasticVisionConverter.Job(
              MODEL,
              ckpt,
              VisionCheckpoint.Options.NONE,
              List.of(64, 32),
              ElasticVisionConverter.syntheticCalibration(6, 64),
              bundle),
          SessionConfig.cpu(1),
          Progress.NONE);
    }
    return repo;
  }

  /**
   * Test-server properties serving this repository with a 1 MiB body limit, plus {@code extra}
   * key/value pairs.
   */
  static java.util.Map<String, String> serverProperties(String... extra) {
    java.util.Map<String, String> p = new java.util.HashMap<>();
    try {
      p.put("flexserve.model-dir", ensure().toString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    p.put("micronaut.server.max-request-size", "1048576");
    for (int i = 0; i < extra.length; i += 2) {
      p.put(extra[i], extra[i + 1]);
    }
    return p;
  }

  public static byte[] encode(BufferedImage image, String format) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!ImageIO.write(image, format, out)) {
      throw new IllegalStateException("no ImageIO writer for " + format);
    }
    return out.toByteArray();
  }
}
