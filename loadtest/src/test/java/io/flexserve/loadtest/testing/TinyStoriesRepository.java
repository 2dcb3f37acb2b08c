package io.flexserve.loadtest.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A model repository under the module's {@code target/} holding the real tinystories-260k
 * checkpoint (from {@code ../shared}) as an elastic bundle, converted once by the toolchain jar's
 * {@code convert} command and reused by every test that needs a text-generation model.
 */
public final class TinyStoriesRepository {
  private TinyStoriesRepository() {}

  /** The repository directory (holding {@code tinystories/}), converting on first use. */
  public static Path ensure(Path module, Path target) throws Exception {
    Path shared = module.resolve("../../shared").normalize();
    Path repo = target.resolve("it-llm-repo");
    Path bundle = repo.resolve("tinystories");
    if (Files.exists(bundle.resolve("manifest.json"))) {
      return repo;
    }
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                toolchainJar(module).toString(),
                "convert",
                "--checkpoint",
                shared.resolve("models/tinystories-260k").toString(),
                "--calibration",
                shared.resolve("data/tinystories-valid-sample.txt").toString(),
                "--out",
                bundle.toString(),
                "--budgets",
                "1,0.8",
                // by weight bytes: timed, the smallest candidate of this tiny model can cost 80 %
                "--latency-model",
                "weights",
                "--window",
                "64",
                "--rank-windows",
                "8",
                "--held-back",
                "2",
                "--per-budget",
                "2",
                "--threads",
                "1")
            .redirectErrorStream(true)
            .redirectOutput(target.resolve("it-llm-convert.log").toFile());
    pb.environment().put("ORT_DISABLE_TELEMETRY", "1");
    pb.environment().put("OPT_OUT_TRACKING", "true");
    Process p = pb.start();
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "conversion did not finish in 300 s");
    assertEquals(0, p.exitValue(), Files.readString(target.resolve("it-llm-convert.log")));
    return repo;
  }

  /**
   * The offline toolchain's jar, which converts models (the server jar only serves); built by the
   * reactor before this module.
   */
  public static Path toolchainJar(Path module) {
    Path jar = module.resolve("../models/toolchain/target/flexserve-toolchain.jar").normalize();
    assertTrue(Files.isRegularFile(jar), "build the toolchain first: " + jar);
    return jar;
  }
}
