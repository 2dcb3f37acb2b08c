package io.flexserve.loadtest;

import io.flexserve.loadtest.workload.TargetDistribution;
import picocli.CommandLine.Option;

/**
 * Options giving each request's latency target; at most one of them; shared by {@code run} and
 * {@code sweep}.
 */
final class TargetOptions {
  @Option(
      names = "--target-ms",
      paramLabel = "T",
      description =
          "Latency target, ms, for every request: sent as X-Latency-Target-Ms and used to judge the SLO.")
  Double targetMs;

  @Option(
      names = "--target-dist",
      paramLabel = "SPEC",
      description =
          "Per-request targets from a distribution, seeded: uniform:LOW:HIGH (ms) or fixed:T.")
  String targetDist;

  @Option(
      names = "--target-choices",
      paramLabel = "LIST",
      description =
          "Per-request targets chosen uniformly from a list, seeded, such as 10,20,50 (ms); repeat a value to weight it.")
  String targetChoices;

  /**
   * The distribution of targets; {@link TargetDistribution.None} when no option is given.
   *
   * @throws IllegalArgumentException if more than one option is given or a value is malformed
   */
  TargetDistribution targets() {
    int given =
        (targetMs == null ? 0 : 1) + (targetDist == null ? 0 : 1) + (targetChoices == null ? 0 : 1);
    if (given > 1) {
      throw new IllegalArgumentException(
          "give at most one of --target-ms, --target-dist and --target-choices");
    }
    if (targetMs != null) {
      return new TargetDistribution.Fixed(targetMs);
    }
    if (targetDist != null) {
      return TargetDistribution.parse(targetDist);
    }
    return targetChoices != null
        ? TargetDistribution.parseChoices(targetChoices)
        : new TargetDistribution.None();
  }
}
