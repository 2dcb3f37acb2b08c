package io.flexserve.loadtest.html;

/**
 * A linear axis with "nice" tick values (1, 2 or 5 times a power of ten), after Heckbert, "Nice
 * Numbers for Graph Labels", Graphics Gems (1990).
 *
 * @param min lowest value on the axis, a multiple of {@code step}
 * @param max highest value on the axis, a multiple of {@code step}; greater than {@code min}
 * @param step distance between ticks; positive
 */
record AxisScale(double min, double max, double step) {
  AxisScale {
    if (!(max > min) || !(step > 0)) {
      throw new IllegalArgumentException(
          "need min < max and step > 0, got " + min + ", " + max + ", " + step);
    }
  }

  /**
   * A scale covering {@code [low, high]} with about {@code ticks} ticks. A degenerate or non-finite
   * range becomes {@code [low, low + 1]} (or {@code [0, 1]}).
   */
  static AxisScale covering(double low, double high, int ticks) {
    double lo = Double.isFinite(low) ? low : 0;
    double hi = Double.isFinite(high) ? high : lo + 1;
    if (hi <= lo) {
      hi = lo + (lo == 0 ? 1 : Math.abs(lo));
    }
    double step = nice((hi - lo) / Math.max(1, ticks - 1), true);
    double min = Math.floor(lo / step) * step;
    double max = Math.ceil(hi / step) * step;
    if (max <= min) {
      max = min + step;
    }
    return new AxisScale(min, max, step);
  }

  /** The tick values from {@code min} to {@code max}. */
  double[] ticks() {
    int n = (int) Math.round((max - min) / step) + 1;
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = min + i * step;
    }
    return out;
  }

  /** Maps {@code v} to a position between {@code from} (at min) and {@code to} (at max). */
  double map(double v, double from, double to) {
    return from + (v - min) / (max - min) * (to - from);
  }

  /** A tick label with as many decimals as the step needs. */
  String label(double v) {
    int decimals = step >= 1 ? 0 : (int) Math.ceil(-Math.log10(step) - 1e-9);
    return Html.fmt("%." + decimals + "f", Math.abs(v) < step / 1e6 ? 0.0 : v);
  }

  private static double nice(double x, boolean round) {
    double exp = Math.floor(Math.log10(x));
    double f = x / Math.pow(10, exp);
    double nf;
    if (round) {
      nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    } else {
      nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    }
    return nf * Math.pow(10, exp);
  }
}
