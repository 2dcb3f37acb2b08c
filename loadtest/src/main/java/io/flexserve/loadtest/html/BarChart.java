package io.flexserve.loadtest.html;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleFunction;

/**
 * Bars over categories: one bar per category ({@link #single}) or a stack of fractions per category
 * that fills 100 % ({@link #stacked}). Categories are runs (in {@code compare}) or time windows;
 * with many categories only every n-th is labelled.
 */
final class BarChart {
  private static final double GAP = 0.2;

  /**
   * One category: its axis label, tooltip prefix, and values (one, or one per segment for stacks).
   */
  record Bar(String label, double[] values) {}

  private BarChart() {}

  /**
   * One bar per category, each in its own colour, with its value written above it.
   *
   * @param label accessible name
   * @param unit y unit
   * @param bars the categories, each with one value (NaN: no bar, shown as "n/a")
   * @param colors one colour per bar
   * @param format how a value is written above its bar and in the tooltip
   * @param yMax top of the y axis; NaN to fit the data
   */
  static String single(
      String label,
      String unit,
      List<Bar> bars,
      List<String> colors,
      DoubleFunction<String> format,
      double yMax) {
    double max = 0;
    for (Bar b : bars) {
      if (Double.isFinite(b.values()[0])) {
        max = Math.max(max, b.values()[0]);
      }
    }
    AxisScale y =
        Double.isNaN(yMax)
            ? AxisScale.covering(0, max * 1.12, 5)
            : new AxisScale(0, yMax, yMax / 5);
    Frame frame = new Frame(label, List.of(), y, unit);
    Svg svg = frame.svg();
    double slot = (frame.right() - frame.left()) / Math.max(1, bars.size());
    for (int i = 0; i < bars.size(); i++) {
      Bar b = bars.get(i);
      double x = frame.left() + i * slot + slot * GAP / 2;
      double v = b.values()[0];
      if (Double.isFinite(v)) {
        double top = frame.yOf(v);
        svg.rect(
            x,
            top,
            slot * (1 - GAP),
            frame.bottom() - top,
            colors.get(i),
            b.label() + ": " + format.apply(v));
        svg.text(x + slot * (1 - GAP) / 2, top - 4, "middle", "value", format.apply(v));
      } else {
        svg.text(x + slot * (1 - GAP) / 2, frame.bottom() - 4, "middle", "value", "n/a");
      }
      categoryLabel(frame, bars.size(), i, x + slot * (1 - GAP) / 2, slot, b.label());
    }
    return frame.finish();
  }

  /**
   * Stacked bars of shares that fill 100 %; a category whose values are all zero (or NaN) gets no
   * bar.
   *
   * @param label accessible name
   * @param segments segment names, bottom first
   * @param colors one colour per segment
   * @param bars the categories, each with one share per segment, in [0, 1]
   * @param xTitle x axis title; may be empty
   */
  static String stacked(
      String label, List<String> segments, List<String> colors, List<Bar> bars, String xTitle) {
    List<Frame.Key> keys = new ArrayList<>();
    for (int s = 0; s < segments.size(); s++) {
      keys.add(new Frame.Key(segments.get(s), colors.get(s), false));
    }
    Frame frame = new Frame(label, keys, new AxisScale(0, 100, 20), "%");
    Svg svg = frame.svg();
    double slot = (frame.right() - frame.left()) / Math.max(1, bars.size());
    double gap = bars.size() > 40 ? 0.1 : GAP;
    boolean any = false;
    for (int i = 0; i < bars.size(); i++) {
      Bar b = bars.get(i);
      double x = frame.left() + i * slot + slot * gap / 2;
      double acc = 0;
      for (int s = 0; s < segments.size(); s++) {
        double share = b.values()[s];
        if (!(share > 0)) {
          continue;
        }
        double y0 = frame.yOf(100 * acc);
        double y1 = frame.yOf(100 * (acc + share));
        svg.rect(
            x,
            y1,
            slot * (1 - gap),
            y0 - y1,
            colors.get(s),
            b.label() + ": " + segments.get(s) + " " + Html.percent(share));
        acc += share;
        any = true;
      }
      categoryLabel(frame, bars.size(), i, x + slot * (1 - gap) / 2, slot, b.label());
    }
    if (!xTitle.isEmpty()) {
      frame.xTitle(xTitle);
    }
    if (!any) {
      frame.message("no 2xx responses with an X-Subnet header");
    }
    return frame.finish();
  }

  // Labels every category when they fit, otherwise every n-th with n from 1, 2, 5, 10, 20, 50, …
  private static void categoryLabel(
      Frame frame, int count, int i, double centre, double slot, String text) {
    int every = 1;
    int[] steps = {1, 2, 5};
    for (int k = 0; slot * every < 36; k++) {
      every = steps[k % 3] * (int) Math.pow(10, k / 3);
    }
    if (i % every != 0) {
      return;
    }
    int fit = Frame.charsIn(slot * every - 4);
    frame.xLabel(
        centre, text.length() <= fit ? text : text.substring(0, Math.max(1, fit - 1)) + "\u2026");
  }
}
