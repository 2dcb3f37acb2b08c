package io.flexserve.models.testing;

import io.flexserve.models.encoder.MiniLmDefault;
import io.flexserve.models.runtime.SessionConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/** The default MiniLM bundle, converted once per test JVM into a temporary directory. */
public final class DefaultBundle {
  private static Path dir;

  private DefaultBundle() {}

  public static synchronized Path get() throws Exception {
    if (dir == null) {
      Path cache = Files.createTempDirectory("flexserve-test-bundle");
      cache.toFile().deleteOnExit();
      dir = MiniLmDefault.ensureBundle(cache, SessionConfig.cpu(2), (step, done, total) -> {});
    }
    return dir;
  }
}
