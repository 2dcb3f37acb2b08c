package io.flexserve.server.catalog;

import io.flexserve.models.BundleFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The model repository an operator named with {@code FLEXSERVE_MODEL_DIR}, checked before the
 * server starts: a directory that is missing, not a directory, or holds no bundle is a mistake to
 * stop on, not a reason to serve the embedded default model or to wait forever unready.
 */
public final class ModelDirectory {
  private ModelDirectory() {}

  /** Sub-directories of {@code repo} that hold a bundle manifest, sorted. */
  static List<Path> bundles(Path repo) throws IOException {
    try (Stream<Path> dirs = Files.list(repo)) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve(BundleFormat.FILE))).sorted().toList();
    }
  }

  /**
   * What is wrong with the configured repository, in one line; empty when it can be served (or none
   * is configured).
   */
  public static Optional<String> problem(String modelDir) {
    if (modelDir == null || modelDir.isBlank()) {
      return Optional.empty();
    }
    Path repo = Path.of(modelDir);
    if (!Files.exists(repo)) {
      return Optional.of("FLEXSERVE_MODEL_DIR " + repo + " does not exist");
    }
    if (!Files.isDirectory(repo)) {
      return Optional.of("FLEXSERVE_MODEL_DIR " + repo + " is not a directory");
    }
    try {
      if (bundles(repo).isEmpty()) {
        return Optional.of(
            "FLEXSERVE_MODEL_DIR "
                + repo
                + " holds no model: expected one sub-directory per model, each with a "
                + BundleFormat.FILE
                + " (unset it to serve the embedded default model)");
      }
    } catch (IOException e) {
      return Optional.of("FLEXSERVE_MODEL_DIR " + repo + " cannot be read: " + e.getMessage());
    }
    return Optional.empty();
  }
}
