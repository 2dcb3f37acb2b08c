package io.flexserve.toolchain;

import io.flexserve.models.encoder.MiniLmDefault;
import io.flexserve.models.runtime.SessionConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** What the benchmark commands share: the bundle to measure and the evaluation sentences. */
final class BenchSupport {
  private BenchSupport() {}

  /**
   * {@code bundle} when given, else the default model's bundle in the cache (converted if absent).
   */
  static Path bundle(Path bundle, Path cacheDir) throws Exception {
    if (bundle != null) {
      return bundle;
    }
    return MiniLmDefault.ensureBundle(cacheDir, SessionConfig.cpu(0), (step, done, total) -> {});
  }

  static Path defaultCache() {
    return Path.of(System.getProperty("user.home"), ".cache", "flexserve");
  }

  /**
   * Up to {@code limit} distinct sentences of at least 4 words from a text file, excluding the
   * calibration sentences (the evaluation must be held out).
   */
  static List<String> sentences(Path file, int limit) throws IOException {
    Set<String> calibration = Set.copyOf(MiniLmDefault.calibrationSentences());
    Set<String> out = new LinkedHashSet<>();
    for (String s : Files.readString(file).split("(?<=[.!?])\\s+|\\n\\s*\\n")) {
      String t = s.strip().replaceAll("\\s+", " ");
      if (t.split(" ").length >= 4 && !calibration.contains(t)) {
        out.add(t);
      }
      if (out.size() == limit) {
        break;
      }
    }
    return List.copyOf(out);
  }

  /** The median (upper median for an even count) of {@code values}; the input is not reordered. */
  static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
