package io.flexserve.models.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Test data in {@code ../shared} beside the repository (never read by the product). */
public final class SharedData {
  private SharedData() {}

  /**
   * {@code ../shared} beside the repository root (the nearest directory up from the one Maven runs
   * tests in that holds {@code .mvn}); fails loudly when it is missing.
   */
  public static Path root() {
    Path repo = Path.of("").toAbsolutePath();
    while (repo.getParent() != null && !Files.isDirectory(repo.resolve(".mvn"))) {
      repo = repo.getParent();
    }
    Path shared = repo.resolve("../shared").normalize();
    if (!Files.isDirectory(shared)) {
      throw new IllegalStateException(
          "test data not found at " + shared + " (clone the repo beside ../shared)");
    }
    return shared;
  }

  public static Path tinyStories() {
    return root().resolve("models/tinystories-260k");
  }

  public static Path tinyStoriesText() {
    return root().resolve("data/tinystories-valid-sample.txt");
  }
}
