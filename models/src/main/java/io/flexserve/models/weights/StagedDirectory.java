package io.flexserve.models.weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A bundle under construction: a sibling staging directory that becomes the target by one atomic
 * rename, so a reader (a server scanning its model repository) never sees a half-written bundle and
 * a failed conversion leaves nothing.
 */
public final class StagedDirectory {
  private StagedDirectory() {}

  /** A fresh, empty staging directory next to {@code target} (private to this process). */
  public static Path create(Path target) throws IOException {
    Path staging =
        target
            .toAbsolutePath()
            .resolveSibling(target.getFileName() + ".staging-" + ProcessHandle.current().pid());
    deleteRecursively(staging);
    Files.createDirectories(staging);
    return staging;
  }

  /** Replaces {@code target} with {@code staging}. */
  public static void publish(Path staging, Path target) throws IOException {
    deleteRecursively(target);
    Files.createDirectories(target.toAbsolutePath().getParent());
    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
  }

  public static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
