package io.flexserve.toolchain;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The bundle a benchmark measures: {@code --bundle DIR}, or the embedded model converted into
 * {@code --cache-dir}.
 */
final class BundleOptions {
  @Option(
      names = "--bundle",
      description = "Bundle directory (default: the embedded model, converted into --cache-dir).")
  Path bundle;

  @Option(names = "--cache-dir", description = "Default: ~/.cache/flexserve.")
  Path cacheDir = BenchSupport.defaultCache();

  /**
   * The bundle directory, converting the embedded model into the cache first when none was given.
   */
  Path resolve() throws Exception {
    return BenchSupport.bundle(bundle, cacheDir);
  }
}
