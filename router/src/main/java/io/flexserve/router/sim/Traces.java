package io.flexserve.router.sim;

import io.flexserve.router.DeadlinePolicy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * Arrival traces: generated (Poisson, on/off bursts, rate steps), read from and written to CSV.
 * Every request of a generated trace has the same shape ({@code inputs}, {@code sequence}, target);
 * a CSV trace can vary them.
 *
 * <p>CSV format, the same the load tester replays: a header line {@code
 * offset_ms,endpoint,inputs,target_ms}, then one request per line; {@code endpoint} is ignored here
 * (one model), an empty {@code target_ms} means no target.
 */
public final class Traces {
  public static final String CSV_HEADER = "offset_ms,endpoint,inputs,target_ms";

  private Traces() {}

  /** The shape every generated request has. */
  public record Shape(
      int inputs, int sequence, OptionalDouble targetMillis, DeadlinePolicy policy) {
    Arrival at(double millis) {
      return new Arrival(millis, inputs, sequence, targetMillis, policy);
    }
  }

  /** Poisson arrivals at {@code ratePerSecond} for {@code seconds}. */
  public static List<Arrival> poisson(
      double ratePerSecond, double seconds, Shape shape, long seed) {
    return steps(List.of(new double[] {ratePerSecond, seconds}), shape, seed);
  }

  /**
   * Piecewise-constant Poisson rates: each step is {rate per second, seconds}. A step from a
   * sustainable rate to an overload shows how fast a policy adapts.
   */
  public static List<Arrival> steps(List<double[]> steps, Shape shape, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Arrival> out = new ArrayList<>();
    double start = 0;
    for (double[] step : steps) {
      double rate = step[0];
      double end = start + step[1] * 1000;
      if (rate > 0) {
        double t = start;
        while (true) {
          t += -Math.log(1 - random.nextDouble()) * 1000 / rate;
          if (t >= end) {
            break;
          }
          out.add(shape.at(t));
        }
      }
      start = end;
    }
    return out;
  }

  /**
   * On/off bursts with mean rate {@code ratePerSecond}: Poisson at {@code rate × (on + off) / on}
   * during each {@code onMillis}, silence during each {@code offMillis}.
   */
  public static List<Arrival> bursty(
      double ratePerSecond,
      double seconds,
      double onMillis,
      double offMillis,
      Shape shape,
      long seed) {
    List<double[]> steps = new ArrayList<>();
    double burstRate = ratePerSecond * (onMillis + offMillis) / onMillis;
    for (double t = 0; t < seconds * 1000; t += onMillis + offMillis) {
      steps.add(new double[] {burstRate, Math.min(onMillis, seconds * 1000 - t) / 1000});
      steps.add(
          new double[] {0, Math.max(0, Math.min(offMillis, seconds * 1000 - t - onMillis)) / 1000});
    }
    return steps(steps, shape, seed);
  }

  /**
   * Reads a CSV trace; {@code sequence} is the padded length assumed for every input (text is not
   * in the trace).
   */
  public static List<Arrival> readCsv(Reader in, int sequence, DeadlinePolicy policy)
      throws IOException {
    BufferedReader r = new BufferedReader(in);
    String header = r.readLine();
    if (header == null || !header.strip().equals(CSV_HEADER)) {
      throw new IOException(
          "trace must start with the header '" + CSV_HEADER + "', got '" + header + "'");
    }
    List<Arrival> out = new ArrayList<>();
    int lineNo = 1;
    for (String line; (line = r.readLine()) != null; ) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(",", -1);
      if (f.length != 4) {
        throw new IOException(
            "trace line " + lineNo + ": expected 4 fields, got " + f.length + ": " + line);
      }
      try {
        OptionalDouble target =
            f[3].isBlank() ? OptionalDouble.empty() : OptionalDouble.of(Double.parseDouble(f[3]));
        out.add(
            new Arrival(
                Double.parseDouble(f[0]),
                Integer.parseInt(f[2].strip()),
                sequence,
                target,
                policy));
      } catch (IllegalArgumentException e) {
        throw new IOException("trace line " + lineNo + ": " + e.getMessage(), e);
      }
    }
    out.sort(java.util.Comparator.comparingDouble(Arrival::atMillis));
    return out;
  }

  /**
   * Writes {@code trace} as CSV (endpoint {@code /v1/embeddings}), so the load tester can replay it
   * exactly.
   */
  public static void writeCsv(List<Arrival> trace, Writer out) throws IOException {
    out.write(CSV_HEADER + "\n");
    for (Arrival a : trace) {
      out.write(
          String.format(
              Locale.ROOT,
              "%.3f,/v1/embeddings,%d,%s%n",
              a.atMillis(),
              a.inputs(),
              a.targetMillis().isPresent()
                  ? String.format(Locale.ROOT, "%.3f", a.targetMillis().getAsDouble())
                  : ""));
    }
  }
}
