package io.flexserve.loadtest;

import io.flexserve.loadtest.html.HtmlReports;
import io.flexserve.loadtest.report.ConsoleComparison;
import io.flexserve.loadtest.report.JsonReport;
import io.flexserve.loadtest.report.ReportDocument;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code loadtest compare run1.json run2.json … [--html out.html]}: several saved runs side by
 * side, as a console table and optionally as an HTML page with charts. Each run is labelled by its
 * {@code --label} setting, else by its file name without {@code .json}.
 */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = "Compare saved JSON reports (written by run --json) side by side.")
final class CompareCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      arity = "1..*",
      paramLabel = "REPORT.json",
      description = "Reports written by 'run --json'.")
  List<Path> files;

  @Option(
      names = "--html",
      paramLabel = "FILE",
      description = "Write the comparison as a self-contained HTML page.")
  Path htmlFile;

  @Option(
      names = "--labels",
      paramLabel = "LIST",
      split = ",",
      description =
          "Labels for the runs, in order, comma-separated (default: each run's --label, else its file name).")
  List<String> labels;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (labels != null && labels.size() != files.size()) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "--labels gives " + labels.size() + " labels for " + files.size() + " reports");
    }
    List<ReportDocument> docs = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i);
      try {
        ReportDocument doc = JsonReport.parse(Files.readString(file, StandardCharsets.UTF_8));
        docs.add(doc);
        names.add(
            labels != null ? labels.get(i) : doc.settings().getOrDefault("label", fileLabel(file)));
      } catch (IOException | IllegalArgumentException e) {
        err.println("cannot read report " + file + ": " + e.getMessage());
        return 1;
      }
    }
    out.print(ConsoleComparison.render(names, docs));
    out.flush();
    if (htmlFile != null) {
      try {
        Files.writeString(htmlFile, HtmlReports.compare(names, docs), StandardCharsets.UTF_8);
        err.println("HTML comparison written to " + htmlFile);
      } catch (IOException e) {
        err.println("cannot write " + htmlFile + ": " + e);
        return 1;
      }
    }
    return 0;
  }

  private static String fileLabel(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : name;
  }
}
