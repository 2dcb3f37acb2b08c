package io.flexserve.distill;

import io.flexserve.convert.llm.ElasticDecoderConverter;
import io.flexserve.convert.llm.LatencyModel;
import io.flexserve.models.Progress;
import io.flexserve.models.encoder.MiniLmDefault;
import io.flexserve.models.llm.DecoderManifest;
import io.flexserve.models.runtime.SessionConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Bundles the tests distill: tinystories-260k converted with budgets 1 and 0.85 and the variant
 * full-mlp50 (a tighter budget may find no candidate on a loaded machine, since the menu search
 * works from measured latencies), and the default MiniLM encoder; each converted once into {@code
 * target/} and reused. Test data comes from {@code ../shared}.
 */
final class TinyBundles {
  private TinyBundles() {}

  static Path shared() {
    Path shared =
        Path.of(System.getProperty("flexserve.shared.dir", "../../../shared"))
            .toAbsolutePath()
            .normalize();
    if (!Files.isDirectory(shared)) {
      throw new IllegalStateException(
          "test data not found at " + shared + " (clone the repo beside ../shared)");
    }
    return shared;
  }

  static Path trainingText() {
    return shared().resolve("data/tinystories-valid-more.txt");
  }

  static synchronized Path decoder() throws Exception {
    Path bundle = Path.of("target/test-bundles/tinystories").toAbsolutePath();
    if (!Files.exists(bundle.resolve(DecoderManifest.FILE))) {
      ElasticDecoderConverter.Options options =
          new ElasticDecoderConverter.Options(
                  "tinystories",
                  List.of(1.0, 0.85),
                  64,
                  16,
                  4,
                  3,
                  Integer.MAX_VALUE,
                  32,
                  5,
                  32,
                  SessionConfig.cpu(1),
                  List.of(0.5))
              .withLatencyModel(LatencyModel.WEIGHTS);
      ElasticDecoderConverter.convert(
          shared().resolve("models/tinystories-260k"),
          shared().resolve("data/tinystories-valid-sample.txt"),
          bundle,
          options,
          Progress.NONE);
    }
    return bundle;
  }

  static synchronized Path encoder() throws Exception {
    Path cache = Path.of("target/test-bundles/encoder").toAbsolutePath();
    return MiniLmDefault.ensureBundle(cache, SessionConfig.cpu(2), Progress.NONE);
  }
}
