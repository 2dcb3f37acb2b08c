package io.flexserve.loadtest;

import io.flexserve.loadtest.arrival.ArrivalProcess;
import io.flexserve.loadtest.arrival.ScheduleBounds;
import io.flexserve.loadtest.endpoint.EmbeddingsRequests;
import io.flexserve.loadtest.run.LoadTestRun;
import io.flexserve.loadtest.run.NativeBinary;
import io.flexserve.loadtest.run.RunPlan;
import io.flexserve.loadtest.run.Sender;
import io.flexserve.loadtest.run.ServerNotReadyException;
import io.flexserve.loadtest.sweep.RateSearch;
import io.flexserve.loadtest.sweep.Sweep;
import io.flexserve.loadtest.sweep.SweepResult;
import io.flexserve.loadtest.workload.Payloads;
import io.flexserve.loadtest.workload.TargetDistribution;
import io.flexserve.loadtest.workload.Workload;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code loadtest sweep --slo 0.99 --target-ms T --rate-from A --rate-to B --step-duration-s S}:
 * the highest Poisson arrival rate in [A, B] at which SLO attainment stays at or above the SLO.
 * Each probe is an open-loop run of S seconds; the rate doubles from A until a probe fails (or B
 * passes), then bisects.
 */
@Command(
    name = "sweep",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = "Find the highest arrival rate that still meets an SLO attainment.")
final class SweepCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ServerOptions server;

  @Option(
      names = "--slo",
      defaultValue = "0.99",
      description = "Required SLO attainment, in (0, 1] (default: ${DEFAULT-VALUE}).")
  double slo;

  @Option(
      names = "--rate-from",
      required = true,
      paramLabel = "A",
      description = "First and lowest rate to probe, requests per second.")
  double rateFrom;

  @Option(
      names = "--rate-to",
      required = true,
      paramLabel = "B",
      description = "Highest rate to probe, requests per second.")
  double rateTo;

  @Option(
      names = "--step-duration-s",
      defaultValue = "10",
      paramLabel = "S",
      description = "Length of each probe, seconds (default: ${DEFAULT-VALUE}).")
  double stepSeconds;

  @Option(
      names = "--cooldown-s",
      defaultValue = "2",
      description =
          "Pause between probes so the queue drains, seconds (default: ${DEFAULT-VALUE}).")
  double cooldownSeconds;

  @Option(
      names = "--growth",
      defaultValue = "2",
      description = "Rate factor between probes until one fails (default: ${DEFAULT-VALUE}).")
  double growth;

  @Option(
      names = "--tolerance",
      defaultValue = "0.05",
      description =
          "Stop bisecting when the gap is this fraction of the passing rate (default: ${DEFAULT-VALUE}).")
  double tolerance;

  @Option(
      names = "--max-probes",
      defaultValue = "12",
      description = "Stop after this many probes (default: ${DEFAULT-VALUE}).")
  int maxProbes;

  @Option(
      names = "--recheck-failures",
      description =
          "Probe a rate that failed once more and judge it on both probes' requests together, so"
              + " one stall on a noisy machine does not end the search low.")
  boolean recheckFailures;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed of every probe's arrivals and targets (default: ${DEFAULT-VALUE}).")
  long seed;

  @Mixin PayloadOptions payload;

  @Mixin TargetOptions target;

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description = "Write the probes and the result as JSON.")
  Path jsonFile;

  @Override
  public Integer call() throws Exception {
    EmbeddingsRequests requests;
    Payloads payloads;
    TargetDistribution targets;
    RateSearch search;
    Duration readyTimeout;
    try {
      requests = server.requests();
      payloads = payload.payloads();
      targets = target.targets();
      readyTimeout = server.readyTimeout();
      search = new RateSearch(rateFrom, rateTo, growth, tolerance, maxProbes);
      if (server.sender == Sender.NATIVE) {
        NativeBinary.path(); // compiled now, so a missing gcc is a usage error, not a failed probe
      }
      if (!(slo > 0 && slo <= 1)) {
        throw new IllegalArgumentException("--slo must be in (0, 1], got " + slo);
      }
      if (!(stepSeconds > 0) || !(cooldownSeconds >= 0)) {
        throw new IllegalArgumentException(
            "--step-duration-s must be > 0 and --cooldown-s >= 0, got "
                + stepSeconds
                + " and "
                + cooldownSeconds);
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    HttpClient client = LoadTestRun.newClient(Duration.ofSeconds(5));
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("url", requests.endpoint().base().toString());
    settings.put("model", requests.model());
    settings.put("slo", String.format(Locale.ROOT, "attainment >= %.4f", slo));
    settings.put("latency target", targets.describe());
    settings.put("rates", rateFrom + " .. " + rateTo + " req/s (poisson)");
    settings.put("probe length", stepSeconds + " s, cool-down " + cooldownSeconds + " s");
    settings.put(
        "failed rates",
        recheckFailures ? "probed again, judged on both probes together" : "fail at once");
    settings.put("seed", Long.toString(seed));
    settings.put("sender", server.sender.label());
    settings.put("deadline policy", requests.strict() ? "strict" : "best-effort");
    settings.forEach((k, v) -> out.println(k + ": " + v));
    out.flush();

    SweepResult result;
    try {
      result =
          Sweep.run(
              search,
              slo,
              rate -> {
                Workload workload =
                    new Workload.Generated(
                        new ArrivalProcess.Poisson(rate),
                        ScheduleBounds.duration(stepSeconds),
                        seed,
                        payloads,
                        targets);
                RunPlan plan = new RunPlan(requests, workload, readyTimeout, server.sender);
                return LoadTestRun.execute(plan, client, err::println).report();
              },
              Duration.ofMillis(Math.round(cooldownSeconds * 1e3)),
              recheckFailures,
              line -> {
                out.println(line);
                out.flush();
              });
    } catch (ServerNotReadyException e) {
      err.println(e.getMessage());
      return 1;
    }
    out.println(result.summary());
    out.flush();
    if (jsonFile != null) {
      try {
        Files.writeString(jsonFile, result.toJson(settings) + "\n", StandardCharsets.UTF_8);
        err.println("sweep written to " + jsonFile);
      } catch (IOException e) {
        err.println("cannot write " + jsonFile + ": " + e);
        return 1;
      }
    }
    return 0;
  }
}
