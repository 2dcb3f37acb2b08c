package io.flexserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.loadtest.testing.FakeEmbeddingsServer;
import io.flexserve.loadtest.testing.FakeEmbeddingsServer.Behaviour;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LoadTestTest {

  private record Run(int exitCode, String out, String err) {}

  @Test
  void main_fakeServer_printsSummaryAndWritesJsonAndCsv(@TempDir Path dir) throws IOException {
    try (FakeEmbeddingsServer server = FakeEmbeddingsServer.start(new Behaviour(5, 0, 0))) {
      Path json = dir.resolve("report.json");
      Path csv = dir.resolve("requests.csv");

      Run run =
          run(
              "--url",
              server.url(),
              "--arrival",
              "bursty",
              "--rate",
              "200",
              "--burst-on-ms",
              "50",
              "--burst-off-ms",
              "50",
              "--requests",
              "30",
              "--target-ms",
              "5000",
              "--inputs-per-request",
              "2",
              "--json",
              json.toString(),
              "--csv",
              csv.toString());

      assertEquals(0, run.exitCode(), run.err());
      assertEquals(30, server.received());
      assertTrue(run.out().contains("sent              30"), run.out());
      String report = Files.readString(json);
      assertTrue(report.contains("\"sent\":30,\"ok\":24,\"rejected429\":6,"), report);
      assertTrue(report.contains("\"arrival\":\"bursty 200.0 req/s"), report);
      assertEquals(31, Files.readAllLines(csv).size());
      assertTrue(server.bodies().get(0).contains("\"input\":["), server.bodies().get(0));
    }
  }

  @Test
  void main_remoteHost_exitsTwoWithMessage() {
    Run run = run("--url", "http://192.0.2.10:8080", "--requests", "1");

    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("not a loopback host"), run.err());
  }

  @Test
  void main_noBound_exitsTwo() {
    Run run = run("--rate", "5");

    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("--requests N and/or --duration-s S"), run.err());
  }

  @Test
  void main_requestsAboveHardCap_exitsTwo() {
    assertEquals(2, run("--requests", "100001").exitCode());
  }

  @Test
  void main_serverNotReady_exitsOne() throws IOException {
    try (FakeEmbeddingsServer server =
        FakeEmbeddingsServer.start(new Behaviour(0, Integer.MAX_VALUE, 0))) {
      Run run = run("--url", server.url(), "--requests", "1", "--ready-timeout-s", "0");

      assertEquals(1, run.exitCode());
      assertTrue(run.err().contains("server not ready"), run.err());
    }
  }

  @Test
  void run_subcommand_isTheSameAsTheDefault_andWritesHtml(@TempDir Path dir) throws IOException {
    try (FakeEmbeddingsServer server = FakeEmbeddingsServer.start(Behaviour.plain())) {
      Path html = dir.resolve("report.html");

      Run run =
          run(
              "run",
              "--url",
              server.url(),
              "--arrival",
              "step",
              "--steps",
              "100:0.1,0:0.1,100:0.1",
              "--target-dist",
              "uniform:1000:2000",
              "--html",
              html.toString(),
              "--label",
              "steps");

      assertEquals(0, run.exitCode(), run.err());
      assertTrue(run.out().contains("latency target      uniform 1000..2000 ms"), run.out());
      assertTrue(run.out().contains("label               steps"), run.out());
      assertTrue(Files.readString(html).contains("<svg "));
      assertTrue(
          server.targetHeaders().stream().allMatch(t -> Double.parseDouble(t) >= 1000),
          "targets sent");
    }
  }

  @Test
  void run_trace_replaysItsEntries(@TempDir Path dir) throws IOException {
    try (FakeEmbeddingsServer server = FakeEmbeddingsServer.start(Behaviour.plain())) {
      Path trace =
          Files.writeString(
              dir.resolve("trace.csv"),
              "offset_ms,endpoint,inputs,target_ms\n0,/v1/embeddings,first text,50\n10,,2,\n");

      Run run = run("--url", server.url(), "--trace", trace.toString(), "--target-ms", "5000");

      assertEquals(0, run.exitCode(), run.err());
      assertEquals(2, server.received());
      assertEquals(List.of("50", "5000"), server.targetHeaders().stream().sorted().toList());
      assertTrue(
          server.bodies().contains("{\"model\":\"all-minilm-l6-v2\",\"input\":\"first text\"}"));
    }
  }

  @Test
  void run_conflictingOrIncompleteOptions_exitTwoNamingTheProblem(@TempDir Path dir)
      throws IOException {
    Path trace =
        Files.writeString(dir.resolve("t.csv"), "offset_ms,endpoint,inputs,target_ms\n0,,,\n");
    assertUsageError(
        "--arrival ramp needs --rate-from A, --rate-to B and --duration-s S",
        "--arrival",
        "ramp",
        "--rate-from",
        "1",
        "--rate-to",
        "5");
    assertUsageError("--arrival step needs --steps", "--arrival", "step");
    assertUsageError("--steps belongs to --arrival step", "--steps", "1:1", "--requests", "3");
    assertUsageError(
        "--rate-from and --rate-to belong to --arrival ramp",
        "--rate-from",
        "1",
        "--requests",
        "3");
    assertUsageError(
        "--trace replays the trace's own offsets", "--trace", trace.toString(), "--rate", "5");
    assertUsageError(
        "at most one of --target-ms, --target-dist and --target-choices",
        "--requests",
        "1",
        "--target-ms",
        "5",
        "--target-choices",
        "1,2");
    assertUsageError("'gaussian:1'", "--requests", "1", "--target-dist", "gaussian:1");
    assertUsageError("cannot read --trace", "--trace", dir.resolve("missing.csv").toString());
  }

  @Test
  void compare_twoSavedRuns_printsTableAndWritesHtml(@TempDir Path dir) throws IOException {
    try (FakeEmbeddingsServer server = FakeEmbeddingsServer.start(new Behaviour(4, 0, 0))) {
      Path a = dir.resolve("baseline.json");
      Path b = dir.resolve("candidate.json");
      assertEquals(
          0,
          run("--url", server.url(), "--requests", "20", "--rate", "500", "--json", a.toString())
              .exitCode());
      assertEquals(
          0,
          run(
                  "--url",
                  server.url(),
                  "--requests",
                  "10",
                  "--rate",
                  "500",
                  "--json",
                  b.toString(),
                  "--label",
                  "the candidate")
              .exitCode());
      Path html = dir.resolve("compare.html");

      Run run = run("compare", a.toString(), b.toString(), "--html", html.toString());

      assertEquals(0, run.exitCode(), run.err());
      assertTrue(run.out().contains("baseline "), run.out());
      assertTrue(run.out().contains("the candidate "), run.out());
      assertTrue(run.out().contains("sub-network share of 2xx"), run.out());
      String page = Files.readString(html);
      assertTrue(page.contains("the candidate") && page.contains("baseline"));
    }
  }

  @Test
  void compare_unreadableReport_exitsOne(@TempDir Path dir) throws IOException {
    Path bad = Files.writeString(dir.resolve("bad.json"), "{\"format\":\"something else\"}");

    Run run = run("compare", bad.toString());

    assertEquals(1, run.exitCode());
    assertTrue(run.err().contains("not a flexserve-loadtest report"), run.err());
  }

  @Test
  void sweep_fakeServer_probesUpToTheCeiling_andWritesJson(@TempDir Path dir) throws IOException {
    try (FakeEmbeddingsServer server = FakeEmbeddingsServer.start(new Behaviour(5, 0, 0))) {
      Path json = dir.resolve("sweep.json");

      Run run =
          run(
              "sweep",
              "--url",
              server.url(),
              "--slo",
              "0.5",
              "--target-ms",
              "5000",
              "--rate-from",
              "20",
              "--rate-to",
              "80",
              "--step-duration-s",
              "0.25",
              "--cooldown-s",
              "0",
              "--json",
              json.toString());

      assertEquals(0, run.exitCode(), run.err());
      assertEquals(
          3, run.out().lines().filter(l -> l.matches("probe +\\d+ .*")).count(), run.out());
      assertTrue(
          run.out().contains("highest rate meeting SLO attainment >= 50.00 %: 80.0 req/s"),
          run.out());
      assertTrue(Files.readString(json).contains("\"highestPassingRatePerSecond\":80.0"));
    }
  }

  @Test
  void sweep_missingRates_exitsTwo() {
    assertEquals(2, run("sweep", "--rate-from", "5").exitCode());
  }

  @Test
  void help_listsTheSubcommands() {
    Run run = run("--help");

    assertEquals(0, run.exitCode());
    assertTrue(
        run.out().contains("compare") && run.out().contains("sweep") && run.out().contains("run"),
        run.out());
  }

  private static void assertUsageError(String expected, String... args) {
    Run run = run(args);
    assertEquals(2, run.exitCode(), run.err());
    assertTrue(run.err().contains(expected), run.err());
  }

  @Test
  void main_nativeSenderWithStreamingWorkload_isAUsageError() {
    Run run =
        run(
            "--url",
            "http://127.0.0.1:1",
            "--sender",
            "native",
            "--mix",
            "completions=1,completions-stream=1",
            "--requests",
            "10",
            "--rate",
            "10");

    assertEquals(2, run.exitCode(), run.err());
    assertTrue(run.err().contains("--sender native sends non-streaming requests only"), run.err());
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = LoadTest.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }
}
