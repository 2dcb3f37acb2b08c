package io.flexserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.loadtest.report.EndpointStats;
import io.flexserve.loadtest.report.JsonReport;
import io.flexserve.loadtest.report.Report;
import io.flexserve.loadtest.testing.PrometheusText;
import io.flexserve.loadtest.testing.ServerProcess;
import io.flexserve.loadtest.testing.TinyStoriesRepository;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A run mixing every endpoint kind against one real server: a tiny RADIO backbone (written by the
 * toolchain jar's {@code synth-vision} and {@code convert-vision}) beside tinystories-260k. The
 * report's per-endpoint 2xx counts equal the deltas of the server's own request counters, vision
 * requests are judged against their targets, and the sub-networks they report are menu entries of
 * {@code /v1/models} ({@code <subnet>@<resolution>}) with a quality.
 */
class VisionLoadTest {
  private static final String VISION = "radio-tiny";
  private static final String TEXT = "tinystories";
  private static final int REQUESTS = 60;

  @Test
  void mixWithVision_perEndpointCountsEqualMetricDeltas_variantsComeFromTheMenu(@TempDir Path dir)
      throws Exception {
    Path module =
        Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    Path jar = module.resolve("../server/target/flexserve.jar").normalize();
    Assumptions.assumeTrue(
        Files.isRegularFile(jar),
        "skipped: " + jar + " does not exist; build the server module first");
    Path target = Files.createDirectories(module.resolve("target"));
    Path llm = TinyStoriesRepository.ensure(module, target);
    Path repo = target.resolve("it-mixed-repo");
    if (!Files.exists(repo.resolve(VISION).resolve("manifest.json"))) {
      Files.createDirectories(repo);
      cli(
          TinyStoriesRepository.toolchainJar(module),
          target,
          "synth-vision",
          "--preset",
          "tiny",
          "--out",
          target.resolve("it-radio-ckpt").toString());
      cli(
          TinyStoriesRepository.toolchainJar(module),
          target,
          "convert-vision",
          "--checkpoint",
          target.resolve("it-radio-ckpt").toString(),
          "--resolutions",
          "64,32",
          "--out",
          repo.resolve(VISION).toString(),
          "--threads",
          "1");
    }
    if (!Files.exists(repo.resolve(TEXT))) {
      Files.createSymbolicLink(repo.resolve(TEXT), llm.resolve(TEXT));
    }
    try (ServerProcess server =
        ServerProcess.start(
            jar,
            Map.of(
                "ORT_DISABLE_TELEMETRY", "1",
                "OPT_OUT_TRACKING", "true",
                "FLEXSERVE_MODEL_DIR", repo.toString(),
                "FLEXSERVE_PROFILE_REPEATS", "3",
                "FLEXSERVE_INTRA_OP_THREADS", "1"),
            target.resolve("vision-load-server.log"))) {
      server.awaitReady(Duration.ofSeconds(180));
      PrometheusText before = server.metrics();
      Path json = dir.resolve("report.json");
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine cli = LoadTest.commandLine();
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(err, true));
      int code =
          cli.execute(
              "run",
              "--url",
              server.url(),
              "--ready-timeout-s",
              "5",
              "--model",
              TEXT,
              "--vision-model",
              VISION,
              "--image-sizes",
              "64x64,200x120",
              "--images",
              "8",
              "--mix",
              "vision=2,completions=1,chat-stream=1",
              "--max-tokens",
              "4",
              "--arrival",
              "constant",
              "--rate",
              "10",
              "--requests",
              Integer.toString(REQUESTS),
              "--seed",
              "3",
              "--target-ms",
              "5000",
              "--json",
              json.toString());
      assertEquals(0, code, err + "\n" + server.logTail());
      PrometheusText after = server.metrics();
      Report report = JsonReport.parse(Files.readString(json, StandardCharsets.UTF_8)).report();
      String summary = out.toString();
      System.out.print(summary);

      assertEquals(REQUESTS, report.ok(), summary);
      EndpointStats vision = report.endpoints().get("vision");
      assertTrue(vision != null && vision.ok() > 0, summary);
      assertEquals(
          vision.ok(),
          delta(before, after, Map.of("model", VISION, "endpoint", "/v1/vision/features")),
          summary);
      assertEquals(
          report.endpoints().get("completions").ok(),
          delta(before, after, Map.of("model", TEXT, "endpoint", "/v1/completions")),
          summary);
      assertEquals(
          report.endpoints().get("chat-stream").ok(),
          delta(before, after, Map.of("model", TEXT, "endpoint", "/v1/chat/completions")),
          summary);
      long visionVariants =
          report.subnetCounts().keySet().stream().filter(s -> s.contains("@")).count();
      assertTrue(
          visionVariants >= 1,
          "vision requests report <subnet>@<resolution>: " + report.subnetCounts());
      for (String variant : report.subnetCounts().keySet()) {
        if (variant.contains("@")) {
          assertTrue(
              report.subnetQuality().containsKey(variant),
              variant + " is a menu entry with a quality: " + report.subnetQuality());
        }
      }
      assertTrue(summary.contains("vision"), summary);
    }
  }

  private static long delta(
      PrometheusText before, PrometheusText after, Map<String, String> match) {
    Map<String, String> ok = new java.util.HashMap<>(match);
    ok.put("status", "200");
    return Math.round(
        after.sum("flexserve_requests_total", ok) - before.sum("flexserve_requests_total", ok));
  }

  private static void cli(Path jar, Path target, String... args) throws Exception {
    java.util.List<String> command =
        new java.util.ArrayList<>(
            java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar.toString()));
    command.addAll(java.util.List.of(args));
    Path log = target.resolve("it-vision-convert.log");
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("ORT_DISABLE_TELEMETRY", "1");
    pb.environment().put("OPT_OUT_TRACKING", "true");
    Process p = pb.start();
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "did not finish in 300 s: " + command);
    assertEquals(0, p.exitValue(), Files.readString(log));
  }
}
