package io.flexserve.toolchain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexserve.router.DeadlinePolicy;
import io.flexserve.router.LatencyCurve;
import io.flexserve.router.LatencyPoint;
import io.flexserve.router.ModelMenu;
import io.flexserve.router.SubnetProfile;
import io.flexserve.router.batch.BatchLimits;
import io.flexserve.router.batch.BatchPolicies;
import io.flexserve.router.sim.Arrival;
import io.flexserve.router.sim.SimReport;
import io.flexserve.router.sim.Simulator;
import io.flexserve.router.sim.Traces;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flexserve simulate}: replays a trace against a model's measured sub-network profiles with
 * every batch policy (or the ones named) and prints SLO attainment, goodput and mean served quality
 * side by side. Profiles come from a running server ({@code --url}) or a saved {@code GET
 * /v1/models} response ({@code --profiles}).
 */
@Command(
    name = "simulate",
    description = "Compare routing policies on a trace in seconds, without a server under load.")
public final class SimulateCommand implements Callable<Integer> {
  @Option(names = "--profiles", description = "A saved GET /v1/models response (JSON).")
  Path profiles;

  @Option(
      names = "--url",
      description =
          "Fetch profiles from this running server (default: http://127.0.0.1:8080 when --profiles is absent).")
  String url;

  @Option(names = "--model", description = "Model id in the profiles (default: the first).")
  String model;

  @Option(
      names = "--trace",
      description = "CSV trace (offset_ms,endpoint,inputs,target_ms); otherwise one is generated.")
  Path trace;

  @Option(
      names = "--arrival",
      defaultValue = "poisson",
      description = "poisson, bursty or step (default: ${DEFAULT-VALUE}).")
  String arrival;

  @Option(names = "--rate", defaultValue = "100", description = "Mean requests per second.")
  double rate;

  @Option(names = "--duration-s", defaultValue = "30", description = "Trace length in seconds.")
  double durationSeconds;

  @Option(
      names = "--steps",
      description = "For --arrival step: rate:seconds segments, e.g. 50:10,200:10,50:10.")
  String steps;

  @Option(names = "--burst-on-ms", defaultValue = "1000")
  double burstOnMillis;

  @Option(names = "--burst-off-ms", defaultValue = "1000")
  double burstOffMillis;

  @Option(names = "--inputs", defaultValue = "1", description = "Inputs per request.")
  int inputs;

  @Option(names = "--tokens", defaultValue = "16", description = "Padded tokens per input.")
  int tokens;

  @Option(
      names = "--target-ms",
      description = "Latency target of every generated request (none: untargeted).")
  Double targetMillis;

  @Option(names = "--strict", description = "X-Deadline-Policy: strict for every request.")
  boolean strict;

  @Option(names = "--policy", split = ",", description = "Policies to compare (default: all).")
  List<String> policies;

  @Option(names = "--workers", defaultValue = "1")
  int workers;

  @Option(names = "--capacity", defaultValue = "64")
  int capacity;

  @Option(names = "--batch-max-inputs", defaultValue = "64")
  int batchMaxInputs;

  @Option(names = "--batch-max-tokens", defaultValue = "8192")
  int batchMaxTokens;

  @Option(
      names = "--overhead-ms",
      defaultValue = "3",
      description = "Client-visible time outside the scheduler (see bench overhead).")
  double overheadMillis;

  @Option(
      names = "--response-margin-ms",
      defaultValue = "3",
      description = "As the server's FLEXSERVE_RESPONSE_MARGIN_MS.")
  double responseMarginMillis;

  @Option(
      names = "--noise",
      defaultValue = "0.15",
      description = "σ of log-normal service-time noise (0 = none).")
  double noise;

  @Option(
      names = "--run-scale",
      defaultValue = "1",
      description =
          "Typical run time over the profile (the server's flexserve_latency_correction, level typical).")
  double runScale;

  @Option(
      names = "--per-request-ms",
      defaultValue = "0",
      description =
          "Worker time per request besides its run, where the event loop shares the worker's core"
              + " (the server's flexserve_request_gap_seconds).")
  double perRequestMillis;

  @Option(
      names = "--overload-hold-ms",
      defaultValue = "1000",
      description =
          "How long a refusal for load makes admission count the spread of the whole queue ahead"
              + " (the server's FLEXSERVE_OVERLOAD_HOLD_MS; 0 = never).")
  double overloadHoldMillis;

  @Option(names = "--seed", defaultValue = "1")
  long seed;

  @Option(
      names = "--write-trace",
      description = "Also write the trace as CSV (for the load tester to replay).")
  Path writeTrace;

  @Override
  public Integer call() throws Exception {
    ModelMenu menu = menu(readProfiles());
    DeadlinePolicy policy = strict ? DeadlinePolicy.STRICT : DeadlinePolicy.BEST_EFFORT;
    List<Arrival> arrivals = trace(policy);
    if (writeTrace != null) {
      try (Writer w = Files.newBufferedWriter(writeTrace)) {
        Traces.writeCsv(arrivals, w);
      }
    }
    Simulator.Config config =
        new Simulator.Config(
            workers,
            capacity,
            new BatchLimits(batchMaxInputs, batchMaxTokens),
            overheadMillis,
            responseMarginMillis,
            noise,
            runScale,
            perRequestMillis,
            overloadHoldMillis,
            seed);
    System.out.printf(
        "%d requests over %.1f s; %s%n", arrivals.size(), durationOf(arrivals), menu.names());
    System.out.printf(
        "%-16s %9s %9s %9s %8s %8s %8s %8s %7s  %s%n",
        "policy",
        "attain%",
        "goodput/s",
        "quality",
        "p50_ms",
        "p99_ms",
        "served",
        "429",
        "batch",
        "sub-network share");
    for (String name : policies == null ? BatchPolicies.names() : policies) {
      SimReport r = Simulator.run(arrivals, menu, BatchPolicies.byName(name), config);
      System.out.printf(
          "%-16s %9.2f %9.1f %9.4f %8.1f %8.1f %8d %8d %7.2f  %s%n",
          r.policy(),
          100 * r.sloAttainment(),
          r.goodputPerSecond(),
          r.meanQuality(),
          r.p50Millis(),
          r.p99Millis(),
          r.served(),
          r.rejectedTotal(),
          r.meanBatchRequests(),
          r.subnetShare());
    }
    return 0;
  }

  private List<Arrival> trace(DeadlinePolicy policy) throws IOException {
    if (trace != null) {
      try (Reader r = Files.newBufferedReader(trace)) {
        return Traces.readCsv(r, tokens, policy);
      }
    }
    Traces.Shape shape =
        new Traces.Shape(
            inputs,
            tokens,
            targetMillis == null ? OptionalDouble.empty() : OptionalDouble.of(targetMillis),
            policy);
    return switch (arrival) {
      case "poisson" -> Traces.poisson(rate, durationSeconds, shape, seed);
      case "bursty" ->
          Traces.bursty(rate, durationSeconds, burstOnMillis, burstOffMillis, shape, seed);
      case "step" -> {
        if (steps == null) {
          throw new picocli.CommandLine.ParameterException(
              new picocli.CommandLine(this), "--arrival step needs --steps rate:seconds,...");
        }
        List<double[]> segments = new ArrayList<>();
        for (String s : steps.split(",")) {
          String[] rs = s.split(":");
          segments.add(new double[] {Double.parseDouble(rs[0]), Double.parseDouble(rs[1])});
        }
        yield Traces.steps(segments, shape, seed);
      }
      default ->
          throw new picocli.CommandLine.ParameterException(
              new picocli.CommandLine(this),
              "--arrival must be poisson, bursty or step, got '" + arrival + "'");
    };
  }

  private JsonNode readProfiles() throws IOException, InterruptedException {
    ObjectMapper json = new ObjectMapper();
    if (profiles != null) {
      return json.readTree(profiles.toFile());
    }
    String base = url == null ? "http://127.0.0.1:8080" : url;
    var response =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(URI.create(base + "/v1/models")).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + base + "/v1/models answered " + response.statusCode());
    }
    return json.readTree(response.body());
  }

  /** The router's menu from a {@code GET /v1/models} response. */
  ModelMenu menu(JsonNode models) {
    for (JsonNode m : models.path("data")) {
      if (model != null && !model.equals(m.path("id").asText())) {
        continue;
      }
      List<SubnetProfile> subnets = new ArrayList<>();
      for (JsonNode s : m.path("subnets")) {
        List<LatencyPoint> points = new ArrayList<>();
        for (JsonNode p : s.path("latency_ms")) {
          points.add(new LatencyPoint(p.path("tokens").asInt(), p.path("p90_ms").asDouble()));
        }
        subnets.add(
            new SubnetProfile(
                s.path("name").asText(),
                s.path("relative_size").asDouble(),
                s.path("quality").asDouble(),
                LatencyCurve.of(points)));
      }
      if (!subnets.isEmpty()) {
        return ModelMenu.of(subnets);
      }
    }
    throw new IllegalArgumentException(
        "no ready model"
            + (model == null ? "" : " '" + model + "'")
            + " with sub-networks in the profiles");
  }

  private static double durationOf(List<Arrival> arrivals) {
    return arrivals.isEmpty() ? 0 : arrivals.get(arrivals.size() - 1).atMillis() / 1000;
  }
}
