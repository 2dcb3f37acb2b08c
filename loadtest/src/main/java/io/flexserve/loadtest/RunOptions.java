package io.flexserve.loadtest;

import io.flexserve.loadtest.arrival.ArrivalProcess;
import io.flexserve.loadtest.arrival.Ramp;
import io.flexserve.loadtest.arrival.ScheduleBounds;
import io.flexserve.loadtest.arrival.Steps;
import io.flexserve.loadtest.run.RunPlan;
import io.flexserve.loadtest.workload.Payloads;
import io.flexserve.loadtest.workload.TargetDistribution;
import io.flexserve.loadtest.workload.TraceFile;
import io.flexserve.loadtest.workload.Workload;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of one run: server, texts, targets, the arrival process or trace, and the report
 * files. A mixin, so the top-level command (run is the default) and {@code run} share it.
 */
final class RunOptions {
  /** Arrival process names accepted by {@code --arrival}. */
  enum Arrival {
    POISSON,
    CONSTANT,
    BURSTY,
    RAMP,
    STEP
  }

  @Mixin ServerOptions server;

  @Option(names = "--arrival", description = "poisson (default), constant, bursty, ramp or step.")
  Arrival arrival;

  @Option(
      names = "--rate",
      paramLabel = "R",
      description = "Mean arrival rate, requests per second (default: 10).")
  Double rate;

  @Option(
      names = "--rate-from",
      paramLabel = "A",
      description = "Ramp: rate at the start, requests per second.")
  Double rateFrom;

  @Option(
      names = "--rate-to",
      paramLabel = "B",
      description = "Ramp: rate at --duration-s, requests per second.")
  Double rateTo;

  @Option(
      names = "--steps",
      paramLabel = "LIST",
      description = "Step: rate:seconds segments, such as 10:30,50:30,100:30.")
  String steps;

  @Option(
      names = "--burst-on-ms",
      defaultValue = "1000",
      description = "Bursty: length of each burst (default: ${DEFAULT-VALUE}).")
  long burstOnMs;

  @Option(
      names = "--burst-off-ms",
      defaultValue = "1000",
      description = "Bursty: silence after each burst (default: ${DEFAULT-VALUE}).")
  long burstOffMs;

  @Option(
      names = "--trace",
      paramLabel = "FILE",
      description =
          "Replay a trace (CSV or JSON with offset_ms,endpoint,inputs,target_ms[,max_tokens]) instead of an arrival process.")
  Path trace;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed of arrivals and target draws (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--requests",
      paramLabel = "N",
      description = "Send at most N requests (hard cap " + ScheduleBounds.HARD_CAP + ").")
  Integer requests;

  @Option(
      names = "--duration-s",
      paramLabel = "S",
      description = "Schedule no request at or after S seconds; the ramp's length.")
  Double durationSeconds;

  @Mixin PayloadOptions payload;

  @Mixin TargetOptions target;

  @Mixin GenerationOptions generation;

  @Option(
      names = "--label",
      paramLabel = "TEXT",
      description = "A name for this run, kept in the reports (compare shows it).")
  String label;

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description = "Write the report as JSON (compare reads it).")
  Path jsonFile;

  @Option(names = "--csv", paramLabel = "FILE", description = "Write one CSV row per request.")
  Path csvFile;

  @Option(
      names = "--html",
      paramLabel = "FILE",
      description = "Write a self-contained HTML report with charts.")
  Path htmlFile;

  /**
   * Turns the options into a validated plan.
   *
   * @throws IllegalArgumentException naming the bad value or the missing option
   */
  RunPlan plan() {
    if (requests != null && (requests < 1 || requests > ScheduleBounds.HARD_CAP)) {
      throw new IllegalArgumentException(
          "--requests must be 1.." + ScheduleBounds.HARD_CAP + ", got " + requests);
    }
    if (durationSeconds != null && !(durationSeconds > 0)) {
      throw new IllegalArgumentException("--duration-s must be > 0, got " + durationSeconds);
    }
    ScheduleBounds bounds =
        new ScheduleBounds(
            requests == null ? ScheduleBounds.HARD_CAP : requests,
            durationSeconds == null ? Double.POSITIVE_INFINITY : durationSeconds);
    Payloads payloads = payload.payloads();
    TargetDistribution targets = target.targets();
    io.flexserve.loadtest.workload.GenerationSettings gen = generation.settings();
    if (trace != null && generation.mix != null) {
      throw new IllegalArgumentException(
          "--mix does not apply to --trace; the trace's endpoint column decides");
    }
    Workload workload =
        trace != null
            ? new Workload.Replayed(
                trace.toString(), readTrace(), bounds, seed, payloads, targets, gen)
            : new Workload.Generated(
                arrivalProcess(), bounds, seed, payloads, targets, generation.mix(), gen);
    return new RunPlan(server.requests(), workload, server.readyTimeout(), server.sender);
  }

  private ArrivalProcess arrivalProcess() {
    Arrival kind = arrival == null ? Arrival.POISSON : arrival;
    if (kind != Arrival.RAMP && (rateFrom != null || rateTo != null)) {
      throw new IllegalArgumentException(
          "--rate-from and --rate-to belong to --arrival ramp (sweep has its own)");
    }
    if (kind != Arrival.STEP && steps != null) {
      throw new IllegalArgumentException("--steps belongs to --arrival step");
    }
    if ((kind == Arrival.RAMP || kind == Arrival.STEP) && rate != null) {
      throw new IllegalArgumentException(
          "--rate does not apply to --arrival " + kind.name().toLowerCase(java.util.Locale.ROOT));
    }
    double r = rate == null ? 10 : rate;
    return switch (kind) {
      case POISSON -> new ArrivalProcess.Poisson(requireBound(r));
      case CONSTANT -> new ArrivalProcess.Constant(requireBound(r));
      case BURSTY -> new ArrivalProcess.Bursty(requireBound(r), burstOnMs, burstOffMs);
      case RAMP -> {
        if (rateFrom == null || rateTo == null || durationSeconds == null) {
          throw new IllegalArgumentException(
              "--arrival ramp needs --rate-from A, --rate-to B and --duration-s S");
        }
        yield new Ramp(rateFrom, rateTo, durationSeconds);
      }
      case STEP -> {
        if (steps == null) {
          throw new IllegalArgumentException(
              "--arrival step needs --steps rate:seconds,rate:seconds,...");
        }
        yield Steps.parse(steps);
      }
    };
  }

  private double requireBound(double r) {
    if (requests == null && durationSeconds == null) {
      throw new IllegalArgumentException(
          "give --requests N and/or --duration-s S to bound the run");
    }
    return r;
  }

  private java.util.List<io.flexserve.loadtest.workload.TraceEntry> readTrace() {
    if (arrival != null || rate != null || rateFrom != null || rateTo != null || steps != null) {
      throw new IllegalArgumentException(
          "--trace replays the trace's own offsets; drop --arrival, --rate, "
              + "--rate-from, --rate-to and --steps");
    }
    try {
      return TraceFile.read(trace);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read --trace " + trace + ": " + e, e);
    }
  }
}
