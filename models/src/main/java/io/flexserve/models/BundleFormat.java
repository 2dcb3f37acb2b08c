package io.flexserve.models;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What every bundle kind shares about its {@code manifest.json}: the file name and the {@code
 * format} / {@code version} pair that says which kind of bundle a directory holds. Each manifest
 * record checks its own pair with {@link #require}; the server reads {@link #of} once to pick the
 * loader.
 */
public final class BundleFormat {
  public static final String FILE = "manifest.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private BundleFormat() {}

  /**
   * @throws IllegalArgumentException unless {@code format} and {@code version} are the expected
   *     ones
   */
  public static void require(
      String expectedFormat, int expectedVersion, String format, int version) {
    if (!expectedFormat.equals(format) || version != expectedVersion) {
      throw new IllegalArgumentException(
          "not a "
              + expectedFormat
              + " v"
              + expectedVersion
              + " manifest: format="
              + format
              + " version="
              + version);
    }
  }

  /**
   * The {@code format} field of {@code dir}'s manifest, or null when there is none or it cannot be
   * read.
   */
  public static String of(Path dir) {
    Path file = dir.resolve(FILE);
    try {
      return Files.exists(file) ? JSON.readTree(file.toFile()).path("format").asText(null) : null;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * The file a manifest field names, confined to its bundle: a relative name that resolves inside
   * {@code dir}, with symbolic links followed. A manifest is data a model repository supplies; it
   * must not make the server open files elsewhere.
   *
   * @param field what names the file, for the error ({@code "weights"}, {@code "graph of full"})
   * @throws IllegalArgumentException naming the field (not the name, which may be a path on this
   *     server), when the name is absolute or leads outside {@code dir}
   */
  public static Path file(Path dir, String name, String field) throws IOException {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("manifest field " + field + " is missing");
    }
    Path relative = Path.of(name);
    if (relative.isAbsolute()) {
      throw new IllegalArgumentException(
          "manifest field " + field + " is an absolute path, outside the model folder");
    }
    Path base = dir.toRealPath();
    Path resolved = base.resolve(relative).normalize();
    if (!resolved.startsWith(base) || resolved.equals(base)) {
      throw new IllegalArgumentException(
          "manifest field " + field + " points outside the model folder");
    }
    if (Files.exists(resolved) && !resolved.toRealPath().startsWith(base)) {
      throw new IllegalArgumentException(
          "manifest field " + field + " is a link that leads outside the model folder");
    }
    return resolved;
  }
}
