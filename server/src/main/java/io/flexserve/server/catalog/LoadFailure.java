package io.flexserve.server.catalog;

import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * What a client may read about a model that failed to load ({@code /v2/models/{m}}, the 503 of a
 * request to it): the reason in the model's own terms, without Java class names or the server's
 * paths. The log keeps the full exception.
 */
final class LoadFailure {
  /** An absolute path left in a message after the bundle's own prefix was replaced. */
  private static final Pattern ABSOLUTE_PATH = Pattern.compile("(?<![\\w.])/[^\\s'\",;()]+");

  private LoadFailure() {}

  /**
   * @param bundle the model's directory, or null when even finding it failed
   */
  static String publicReason(String model, Path bundle, Throwable e) {
    if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
      // Jackson's own messages name Java types and parser settings
      var at = j.getLocation();
      return "manifest.json is not a valid manifest"
          + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")");
    }
    String message = e.getMessage();
    boolean ours =
        e instanceof IllegalArgumentException
            || e instanceof IllegalStateException
            || e instanceof IOException; // a checkpoint's CheckpointException among them
    if (!ours || message == null || message.isBlank()) {
      return "the bundle could not be loaded (the server log has the details)";
    }
    if (bundle != null) {
      // a file of the bundle is named as <model>/<file>, the way a repository's owner knows it
      for (Path p : new Path[] {bundle.toAbsolutePath().normalize(), realPath(bundle)}) {
        if (p != null) {
          message = message.replace(p + "/", model + "/").replace(p.toString(), model);
        }
      }
    }
    return ABSOLUTE_PATH.matcher(message).replaceAll("<path>");
  }

  private static Path realPath(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return null;
    }
  }
}
