package io.flexserve.server.generation;

import io.flexserve.convert.llm.ElasticDecoderConverter;
import io.flexserve.convert.llm.LatencyModel;
import io.flexserve.models.Progress;
import io.flexserve.models.llm.DecoderManifest;
import io.flexserve.models.runtime.SessionConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A model repository holding tinystories-260k converted into an elastic bundle (test data from
 * {@code ../shared}; converted once into {@code target/} and reused by later test classes). The
 * menu includes {@code full-mlp50}, a KV-compatible variant of full, so that tests can exercise
 * token-level switching. Its latency estimates come from weight bytes ({@link
 * LatencyModel#WEIGHTS}), so the menu (tests name {@code lat85}) does not depend on how fast this
 * machine happened to be while converting.
 */
public final class TinyStoriesRepository {
  public static final String MODEL = "tinystories";

  private TinyStoriesRepository() {}

  public static Path shared() {
    Path shared = Path.of("").toAbsolutePath().resolve("../../shared").normalize();
    if (!Files.isDirectory(shared)) {
      throw new IllegalStateException(
          "test data not found at " + shared + " (clone the repo beside ../shared)");
    }
    return shared;
  }

  public static synchronized Path ensure() throws Exception {
    Path repo = Path.of("target/test-llm-repo").toAbsolutePath();
    Path bundle = repo.resolve(MODEL);
    if (!Files.exists(bundle.resolve(DecoderManifest.FILE))) {
      ElasticDecoderConverter.Options options =
          new ElasticDecoderConverter.Options(
                  MODEL,
                  List.of(1.0, 0.85, 0.6),
                  64,
                  16,
                  4,
                  3,
                  Integer.MAX_VALUE,
                  32,
                  9,
                  64,
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
    return repo;
  }
}
