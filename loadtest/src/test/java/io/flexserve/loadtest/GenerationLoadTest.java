package io.flexserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A mixed generation run against the real server on tinystories-260k ({@code ../shared}, converted
 * by the jar's {@code convert} command as in {@link StreamingShutdownTest}): completions and chat,
 * streamed and whole, through the command line. The report's per-endpoint 2xx counts and generated
 * tokens equal the deltas of the server's own counters; every stream has a TTFT no larger than its
 * latency; every request generated {@code max_tokens} tokens or stopped early.
 */
class GenerationLoadTest {
  private static final String MODEL = "tinystories";
  private static final int REQUESTS = 40;
  private static final int MAX_TOKENS = 12;

  @Test
  void mixedGenerationRun_perEndpointCountsEqualMetricDeltas_streamsHaveTtft(@TempDir Path dir)
      throws Exception {
    Path module =
        Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    Path jar = module.resolve("../server/target/flexserve.jar").normalize();
    Assumptions.assumeTrue(
        Files.isRegularFile(jar),
        "skipped: " + jar + " does not exist; build the server module first");
    Path shared = module.resolve("../../shared/models/tinystories-260k").normalize();
    Assumptions.assumeTrue(Files.isDirectory(shared), "skipped: " + shared + " does not exist");
    Path target = Files.createDirectories(module.resolve("target"));
    Path repo = TinyStoriesRepository.ensure(module, target);
    try (ServerProcess server =
        ServerProcess.start(
            jar,
            Map.of(
                "ORT_DISABLE_TELEMETRY", "1",
                "OPT_OUT_TRACKING", "true",
                "FLEXSERVE_MODEL_DIR", repo.toString(),
                "FLEXSERVE_INTRA_OP_THREADS", "1"),
            target.resolve("generation-load-server.log"))) {
      server.awaitReady(Duration.ofSeconds(180));
      PrometheusText before = server.metrics();

      Path json = dir.resolve("report.json");
      Path csv = dir.resolve("requests.csv");
      Path html = dir.resolve("report.html");
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
              MODEL,
              "--mix",
              "completions=1,completions-stream=1,chat=1,chat-stream=1",
              "--max-tokens",
              Integer.toString(MAX_TOKENS),
              "--arrival",
              "constant",
              "--rate",
              "8",
              "--requests",
              Integer.toString(REQUESTS),
              "--seed",
              "5",
              "--target-ms",
              "5000",
              "--ttft-target-ms",
              "2000",
              "--tpot-target-ms",
              "500",
              "--json",
              json.toString(),
              "--csv",
              csv.toString(),
              "--html",
              html.toString());
      assertEquals(0, code, err + "\n" + server.logTail());
      PrometheusText after = server.metrics();

      Report report = JsonReport.parse(Files.readString(json, StandardCharsets.UTF_8)).report();
      String summary = out.toString();
      System.out.print(summary);
      assertEquals(REQUESTS, report.sent(), summary);
      assertEquals(REQUESTS, report.ok(), summary);
      assertEquals(4, report.endpoints().size(), summary);

      long completionsOk = ok(report, "completions") + ok(report, "completions-stream");
      long chatOk = ok(report, "chat") + ok(report, "chat-stream");
      assertEquals(
          completionsOk,
          delta(
              before,
              after,
              "flexserve_requests_total",
              Map.of("model", MODEL, "endpoint", "/v1/completions", "status", "200")),
          summary);
      assertEquals(
          chatOk,
          delta(
              before,
              after,
              "flexserve_requests_total",
              Map.of("model", MODEL, "endpoint", "/v1/chat/completions", "status", "200")),
          summary);
      long tokens = report.endpoints().values().stream().mapToLong(EndpointStats::tokens).sum();
      assertEquals(
          tokens,
          delta(before, after, "flexserve_generated_tokens_total", Map.of("model", MODEL)),
          summary);

      for (String stream : List.of("completions-stream", "chat-stream")) {
        EndpointStats s = report.endpoints().get(stream);
        assertEquals(s.ok(), s.ttft().count(), stream + ": every stream has a TTFT; " + summary);
        assertTrue(s.interToken().count() > 0, stream + ": inter-token times recorded; " + summary);
        assertTrue(s.ttft().p99Millis() <= s.latency().maxMillis() * 1.001, summary);
      }
      for (String whole : List.of("completions", "chat")) {
        assertEquals(0, report.endpoints().get(whole).ttft().count(), summary);
      }
      assertTrue(summary.contains("time to first token"), summary);

      List<Map<String, String>> rows = readCsv(Files.readString(csv, StandardCharsets.UTF_8));
      assertEquals(REQUESTS, rows.size());
      for (Map<String, String> row : rows) {
        String kind = row.get("endpoint");
        assertEquals("200", row.get("status"), row.toString());
        int generated = Integer.parseInt(row.get("tokens"));
        String finish = row.get("finish_reason");
        assertTrue(
            generated == MAX_TOKENS
                ? finish.equals("length")
                : finish.equals("stop") && generated < MAX_TOKENS,
            "max_tokens or an early stop: " + row);
        assertFalse(row.get("subnets").isEmpty(), row.toString());
        assertFalse(
            row.get("deadline_met").isEmpty(),
            "targets were sent, so the server gives a verdict: " + row);
        if (kind.endsWith("-stream")) {
          double ttft = Double.parseDouble(row.get("ttft_ms"));
          double latency = Double.parseDouble(row.get("latency_ms"));
          assertTrue(ttft > 0 && ttft <= latency, "TTFT within the stream's latency: " + row);
          assertTrue(Integer.parseInt(row.get("text_chunks")) >= 1, row.toString());
        } else {
          assertTrue(row.get("ttft_ms").isEmpty(), row.toString());
        }
      }
      String page = Files.readString(html, StandardCharsets.UTF_8);
      assertTrue(
          page.contains("Per endpoint") && page.contains("TTFT p99") && !page.contains("<script"));
    }
  }

  private static long ok(Report report, String kind) {
    EndpointStats s = report.endpoints().get(kind);
    return s == null ? 0 : s.ok();
  }

  private static long delta(
      PrometheusText before, PrometheusText after, String name, Map<String, String> match) {
    return Math.round(after.sum(name, match) - before.sum(name, match));
  }

  // Header-keyed rows of the per-request CSV (RFC 4180 quoting, no line breaks inside the fields
  // used here).
  private static List<Map<String, String>> readCsv(String text) {
    String[] lines = text.split("\n");
    List<String> header = fields(lines[0]);
    List<Map<String, String>> rows = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      List<String> f = fields(lines[i]);
      Map<String, String> row = new HashMap<>();
      for (int c = 0; c < header.size(); c++) {
        row.put(header.get(c), c < f.size() ? f.get(c) : "");
      }
      rows.add(row);
    }
    return rows;
  }

  private static List<String> fields(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        out.add(cell.toString());
        cell.setLength(0);
      } else {
        cell.append(c);
      }
    }
    out.add(cell.toString());
    return out;
  }
}
