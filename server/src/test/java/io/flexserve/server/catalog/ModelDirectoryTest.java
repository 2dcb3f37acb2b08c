package io.flexserve.server.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A named model repository that cannot be served is reported in one line before the server starts
 * (issue 17, item 12).
 */
class ModelDirectoryTest {
  @TempDir Path dir;

  @Test
  void missingNotADirectoryAndEmptyAreProblems_aRepositoryWithABundleIsNot() throws Exception {
    assertEquals(
        Optional.empty(),
        ModelDirectory.problem(""),
        "none configured: the embedded default model");
    assertTrue(
        ModelDirectory.problem(dir.resolve("nope").toString())
            .orElseThrow()
            .contains("does not exist"));
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertTrue(
        ModelDirectory.problem(file.toString()).orElseThrow().contains("is not a directory"));
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Files.createDirectories(empty.resolve("not-a-bundle"));
    assertTrue(ModelDirectory.problem(empty.toString()).orElseThrow().contains("holds no model"));
    Path repo = Files.createDirectories(dir.resolve("repo"));
    Files.writeString(Files.createDirectories(repo.resolve("m")).resolve("manifest.json"), "{}");
    assertEquals(Optional.empty(), ModelDirectory.problem(repo.toString()));
  }
}
