package io.flexserve.server.cli;

import io.flexserve.models.encoder.ElasticEncoderConverter;
import io.flexserve.models.encoder.EncoderManifest;
import io.flexserve.models.encoder.MiniLmDefault;
import io.flexserve.models.encoder.SubnetPlan;
import io.flexserve.models.runtime.SessionConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flexserve convert --out DIR}: converts the embedded all-MiniLM-L6-v2 into an elastic bundle in DIR, which
 * a model repository ({@code FLEXSERVE_MODEL_DIR}) can then serve.
 */
@Command(name = "convert", description = "Convert the embedded all-MiniLM-L6-v2 encoder into an elastic bundle.")
public final class ConvertCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, description = "Bundle directory to write (replaced if it exists).")
  Path out;

  @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime threads (0 = all cores).")
  int threads;

  @Override
  public Integer call() throws Exception {
    try (ProgressBars bars = new ProgressBars()) {
      EncoderManifest m = ElasticEncoderConverter.convert(new MiniLmDefault(), MiniLmDefault.calibrationSentences(),
          MiniLmDefault.validationSentences(), SubnetPlan::defaults, out, SessionConfig.cpu(threads), bars);
      System.out.printf("%-20s %-18s %5s %5s %8s %8s%n", "subnet", "layers", "heads", "mlp", "size", "quality");
      for (EncoderManifest.Subnet s : m.subnets()) {
        System.out.printf("%-20s %-18s %5d %5d %8.3f %8.4f%n", s.name(), s.layers(), s.heads(), s.mlpWidth(), s.relativeSize(), s.quality());
      }
      System.out.println("wrote " + out.toAbsolutePath());
    }
    return 0;
  }
}
