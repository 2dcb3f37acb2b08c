package io.flexserve.server.catalog;

import io.flexserve.models.runtime.SessionConfig;
import java.nio.file.Path;

/**
 * The model served when no repository is configured ({@code FLEXSERVE_MODEL_DIR} unset): one bean,
 * provided by the kind that embeds it.
 */
public interface DefaultModel {
  /** As in URLs and the {@code model} field. */
  String name();

  /** Its bundle, written under {@code cacheDir} on first use and reused afterwards. */
  Path ensureBundle(Path cacheDir, SessionConfig sessions) throws Exception;
}
