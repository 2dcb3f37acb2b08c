package io.flexserve.loadtest.arrival;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Piecewise-constant Poisson arrivals: the first step's rate for its seconds, then the next step's,
 * and no arrival after the last. Each step restarts the exponential clock at its boundary, which is
 * exact for a memoryless process. A step with rate 0 is a pause.
 *
 * @param steps one or more steps, in order; not all of rate 0
 */
public record Steps(List<Step> steps) implements ArrivalProcess {
  /**
   * One step.
   *
   * @param ratePerSecond requests per second during the step; zero or more, finite
   * @param seconds length of the step; positive and finite
   */
  public record Step(double ratePerSecond, double seconds) {
    public Step {
      Rates.requireRateOrZero(ratePerSecond, "step rate");
      Rates.requireSeconds(seconds, "step length");
    }
  }

  public Steps {
    steps = List.copyOf(steps);
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("a step process needs at least one rate:seconds step");
    }
    if (steps.stream().allMatch(step -> step.ratePerSecond() == 0)) {
      throw new IllegalArgumentException("every step has rate 0; nothing would be sent");
    }
  }

  /**
   * Parses {@code rate:seconds[,rate:seconds…]}, such as {@code 10:30,50:30,0:5,100:30}.
   *
   * @throws IllegalArgumentException naming the malformed step
   */
  public static Steps parse(String spec) {
    List<Step> steps = new ArrayList<>();
    for (String part : spec.split(",", -1)) {
      String[] fields = part.strip().split(":", -1);
      if (fields.length != 2) {
        throw new IllegalArgumentException("step '" + part.strip() + "' is not rate:seconds");
      }
      try {
        steps.add(
            new Step(Double.parseDouble(fields[0].strip()), Double.parseDouble(fields[1].strip())));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("step '" + part.strip() + "' is not rate:seconds", e);
      }
    }
    return new Steps(steps);
  }

  /** Total length of the steps, seconds. */
  public double seconds() {
    return steps.stream().mapToDouble(Step::seconds).sum();
  }

  @Override
  public double ratePerSecond() {
    return steps.stream().mapToDouble(step -> step.ratePerSecond() * step.seconds()).sum()
        / seconds();
  }

  @Override
  public long[] schedule(ScheduleBounds bounds, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    OffsetCollector offsets = new OffsetCollector(bounds);
    double stepStart = 0;
    for (Step step : steps) {
      double end = stepStart + step.seconds();
      if (step.ratePerSecond() > 0) {
        double t = stepStart;
        while (true) {
          t += Rates.exponential(random, step.ratePerSecond());
          if (t >= end) {
            break;
          }
          if (!offsets.add(t)) {
            return offsets.toArray();
          }
        }
      }
      stepStart = end;
    }
    return offsets.toArray();
  }

  @Override
  public String describe() {
    StringBuilder out = new StringBuilder("steps");
    for (int i = 0; i < steps.size(); i++) {
      out.append(i == 0 ? " " : ", ")
          .append(Rates.num(steps.get(i).ratePerSecond()))
          .append(" req/s for ")
          .append(Rates.num(steps.get(i).seconds()))
          .append(" s");
    }
    return out.append(" (poisson)").toString();
  }
}
