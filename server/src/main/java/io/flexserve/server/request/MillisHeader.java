package io.flexserve.server.request;

import java.util.Locale;

/**
 * Milliseconds as a response header writes them ({@code X-Queue-Ms}, {@code X-Inference-Ms}, …):
 * three decimals, a dot, no grouping. Written on every answer, so without {@link String#format}:
 * its parser and locale lookups cost about 70 µs of the one core per embeddings answer (three
 * headers; profiled with C1 code, BENCHMARKS.md issue 19).
 */
public final class MillisHeader {
  private MillisHeader() {}

  /**
   * {@code ms} rounded to three decimals, e.g. {@code 12.345}; {@code NaN} or infinite as Java
   * writes them.
   */
  public static String format(double ms) {
    if (!Double.isFinite(ms) || Math.abs(ms) >= 1e15) {
      return String.format(Locale.ROOT, "%.3f", ms);
    }
    long thousandths = Math.round(ms * 1000);
    StringBuilder out = new StringBuilder(16);
    if (thousandths < 0) {
      out.append('-');
      thousandths = -thousandths;
    }
    long fraction = thousandths % 1000;
    out.append(thousandths / 1000).append('.');
    if (fraction < 100) {
      out.append('0');
    }
    if (fraction < 10) {
      out.append('0');
    }
    return out.append(fraction).toString();
  }
}
