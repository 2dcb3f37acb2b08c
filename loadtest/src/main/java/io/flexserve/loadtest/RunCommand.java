package io.flexserve.loadtest;

import io.flexserve.loadtest.html.HtmlReports;
import io.flexserve.loadtest.report.ConsoleReport;
import io.flexserve.loadtest.report.CsvRecords;
import io.flexserve.loadtest.report.JsonReport;
import io.flexserve.loadtest.report.ReportDocument;
import io.flexserve.loadtest.run.LoadTestRun;
import io.flexserve.loadtest.run.RunPlan;
import io.flexserve.loadtest.run.RunResult;
import io.flexserve.loadtest.run.ServerNotReadyException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code loadtest run [options]}, also the default command: one open-loop load test against {@code
 * POST /v1/embeddings}, reported on the console and optionally as JSON, CSV and HTML.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = "One open-loop load test (the default command).")
final class RunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RunOptions options;

  @Override
  public Integer call() throws InterruptedException {
    return execute(options, spec);
  }

  /**
   * Runs the load test the options describe.
   *
   * @return 0 when the run completed, 1 when the server never became ready or a file could not be
   *     written
   * @throws ParameterException for invalid options (exit status 2)
   */
  static int execute(RunOptions options, CommandSpec spec) throws InterruptedException {
    RunPlan plan;
    try {
      plan = options.plan();
      LoadTestRun.checkSender(plan);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    RunResult result;
    try {
      result =
          LoadTestRun.execute(
              plan,
              LoadTestRun.newClient(Duration.ofSeconds(5)),
              message -> {
                err.println(message);
                err.flush();
              });
    } catch (ServerNotReadyException e) {
      err.println(e.getMessage());
      return 1;
    }
    Map<String, String> settings = new LinkedHashMap<>();
    if (options.label != null) {
      settings.put("label", options.label);
    }
    settings.putAll(plan.describe());
    out.print(ConsoleReport.render(result.report(), settings));
    out.flush();
    try {
      if (options.jsonFile != null) {
        Files.writeString(
            options.jsonFile,
            JsonReport.render(result.report(), settings) + "\n",
            StandardCharsets.UTF_8);
        err.println("report written to " + options.jsonFile);
      }
      if (options.csvFile != null) {
        try (Writer w = Files.newBufferedWriter(options.csvFile, StandardCharsets.UTF_8)) {
          CsvRecords.write(result.records(), w);
        }
        err.println("per-request records written to " + options.csvFile);
      }
      if (options.htmlFile != null) {
        Files.writeString(
            options.htmlFile,
            HtmlReports.run(new ReportDocument(settings, result.report())),
            StandardCharsets.UTF_8);
        err.println("HTML report written to " + options.htmlFile);
      }
    } catch (IOException e) {
      err.println("cannot write report: " + e);
      return 1;
    }
    return 0;
  }
}
