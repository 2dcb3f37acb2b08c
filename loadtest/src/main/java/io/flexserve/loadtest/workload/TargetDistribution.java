package io.flexserve.loadtest.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * Where each request's latency target comes from. A run draws one target per request, in schedule
 * order, from a random stream seeded by the run's seed, so equal seeds give equal targets.
 */
public sealed interface TargetDistribution
    permits TargetDistribution.None,
        TargetDistribution.Fixed,
        TargetDistribution.Uniform,
        TargetDistribution.Choices {

  /**
   * Returns the targets of {@code count} requests, in schedule order.
   *
   * @param count how many; zero or more
   * @param seed seed of the draws; distributions without randomness ignore it
   * @return a new list of {@code count} targets in milliseconds; empty elements mean "no target"
   */
  default List<OptionalDouble> draw(int count, long seed) {
    // A stream of its own, so changing the target distribution never changes the arrival offsets.
    SplittableRandom random = new SplittableRandom(seed ^ 0x7A5C_E7D1_57A6_E75EL);
    List<OptionalDouble> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(next(random));
    }
    return out;
  }

  /** The next target from {@code random}. */
  OptionalDouble next(SplittableRandom random);

  /** A short description, such as {@code uniform 10..50 ms}. */
  String describe();

  /** No request has a target. */
  record None() implements TargetDistribution {
    @Override
    public OptionalDouble next(SplittableRandom random) {
      return OptionalDouble.empty();
    }

    @Override
    public String describe() {
      return "none";
    }
  }

  /**
   * Every request has the same target.
   *
   * @param millis the target, milliseconds; positive and finite
   */
  record Fixed(double millis) implements TargetDistribution {
    public Fixed {
      requireTarget(millis);
    }

    @Override
    public OptionalDouble next(SplittableRandom random) {
      return OptionalDouble.of(millis);
    }

    @Override
    public String describe() {
      return ms(millis) + " ms";
    }
  }

  /**
   * Targets drawn uniformly from {@code [lowMillis, highMillis)}.
   *
   * @param lowMillis smallest target, milliseconds; positive and finite
   * @param highMillis largest target, milliseconds; at least {@code lowMillis} and finite
   */
  record Uniform(double lowMillis, double highMillis) implements TargetDistribution {
    public Uniform {
      requireTarget(lowMillis);
      requireTarget(highMillis);
      if (highMillis < lowMillis) {
        throw new IllegalArgumentException(
            "uniform target range " + lowMillis + ".." + highMillis + " is empty");
      }
    }

    @Override
    public OptionalDouble next(SplittableRandom random) {
      return OptionalDouble.of(lowMillis + (highMillis - lowMillis) * random.nextDouble());
    }

    @Override
    public String describe() {
      return "uniform " + ms(lowMillis) + ".." + ms(highMillis) + " ms";
    }
  }

  /**
   * Targets chosen uniformly from a list; repeat a value to weight it.
   *
   * @param millis the candidates, milliseconds; one or more, each positive and finite
   */
  record Choices(List<Double> millis) implements TargetDistribution {
    public Choices {
      millis = List.copyOf(millis);
      if (millis.isEmpty()) {
        throw new IllegalArgumentException("target choices must not be empty");
      }
      millis.forEach(TargetDistribution::requireTarget);
    }

    @Override
    public OptionalDouble next(SplittableRandom random) {
      return OptionalDouble.of(millis.get(random.nextInt(millis.size())));
    }

    @Override
    public String describe() {
      StringBuilder out = new StringBuilder("one of ");
      for (int i = 0; i < millis.size(); i++) {
        out.append(i == 0 ? "" : ", ").append(ms(millis.get(i)));
      }
      return out.append(" ms").toString();
    }
  }

  /**
   * Parses {@code uniform:LOW:HIGH} (milliseconds) or {@code fixed:T}.
   *
   * @throws IllegalArgumentException naming the value when it is malformed
   */
  static TargetDistribution parse(String spec) {
    String[] f = spec.strip().split(":", -1);
    try {
      String kind = f[0].strip().toLowerCase(Locale.ROOT);
      if (kind.equals("uniform") && f.length == 3) {
        return new Uniform(Double.parseDouble(f[1].strip()), Double.parseDouble(f[2].strip()));
      }
      if (kind.equals("fixed") && f.length == 2) {
        return new Fixed(Double.parseDouble(f[1].strip()));
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "target distribution '" + spec + "' has a malformed number", e);
    }
    throw new IllegalArgumentException(
        "target distribution '" + spec + "' is not uniform:LOW:HIGH or fixed:T");
  }

  /**
   * Parses a comma-separated list of targets in milliseconds, such as {@code 10,20,50}.
   *
   * @throws IllegalArgumentException naming the value when it is malformed
   */
  static Choices parseChoices(String spec) {
    List<Double> values = new ArrayList<>();
    for (String part : spec.split(",", -1)) {
      try {
        values.add(Double.parseDouble(part.strip()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "target choice '" + part.strip() + "' is not a number of ms", e);
      }
    }
    return new Choices(values);
  }

  private static void requireTarget(double millis) {
    if (!(millis > 0) || Double.isInfinite(millis)) {
      throw new IllegalArgumentException(
          "latency target must be a positive number of ms, got " + millis);
    }
  }

  private static String ms(double v) {
    return v == Math.rint(v) && v < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
