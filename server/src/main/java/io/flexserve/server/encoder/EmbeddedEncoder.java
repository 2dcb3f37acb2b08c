package io.flexserve.server.encoder;

import io.flexserve.models.encoder.MiniLmDefault;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.server.catalog.DefaultModel;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default model, all-MiniLM-L6-v2 from its Maven Central jar, made elastic on first
 * start into the cache directory and reused afterwards.
 */
@Singleton
public final class EmbeddedEncoder implements DefaultModel {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedEncoder.class);

  @Override
  public String name() {
    return MiniLmDefault.NAME;
  }

  @Override
  public Path ensureBundle(Path cacheDir, SessionConfig sessions) throws Exception {
    return MiniLmDefault.ensureBundle(
        cacheDir,
        sessions,
        (step, done, total) -> {
          if (done == total) {
            LOG.info("default model: {} done", step);
          }
        });
  }
}
