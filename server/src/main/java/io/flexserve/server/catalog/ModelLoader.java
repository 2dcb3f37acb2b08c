package io.flexserve.server.catalog;

import io.flexserve.models.runtime.SessionConfig;
import java.nio.file.Path;

/**
 * How one model kind is loaded for serving. Every kind's package holds one, registered as a bean
 * ({@code @Singleton}); the catalog asks each in turn whether it reads a bundle's {@code format}
 * (the {@code manifest.json} field) and knows no kind itself. Adding a kind is a package with its
 * loader and served model, plus that annotation.
 */
public interface ModelLoader {
  /** Whether this loader reads bundles whose manifest names {@code format}. */
  boolean reads(String format);

  /**
   * Loads the bundle, measures its sub-networks on this machine, and starts its scheduler.
   *
   * @param name the model's name in URLs and the {@code model} field
   * @throws Exception anything that stops it serving: the catalog marks the model failed with a
   *     reason a client may read ({@link LoadFailure}) and serves the others
   */
  ServedModel load(String name, Path bundle, SessionConfig sessions) throws Exception;
}
