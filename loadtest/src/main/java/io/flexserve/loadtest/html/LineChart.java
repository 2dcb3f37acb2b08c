package io.flexserve.loadtest.html;

import static io.flexserve.loadtest.html.Html.coord;

import java.util.ArrayList;
import java.util.List;

/**
 * A line chart over a numeric x axis (seconds of a run). NaN values break a line, so a window
 * without data shows as a gap rather than a drop to zero. With few points each point also gets a
 * dot with a tooltip.
 */
final class LineChart {
  private static final int DOTS_UP_TO = 60;

  /**
   * One line.
   *
   * @param name legend text
   * @param color stroke colour, from {@link Palette}
   * @param x x values, ascending
   * @param y y values, one per x; NaN for none
   * @param dashed whether to dash the line (for reference-like series such as offered load)
   */
  record Series(String name, String color, double[] x, double[] y, boolean dashed) {
    Series {
      if (x.length != y.length) {
        throw new IllegalArgumentException(x.length + " x values for " + y.length + " y values");
      }
    }
  }

  /** A labelled horizontal line, such as a latency target. */
  record Reference(double y, String label) {}

  private final String label;
  private final String yUnit;
  private final String xTitle;
  private final List<Series> series = new ArrayList<>();
  private final List<Reference> references = new ArrayList<>();
  private double fixedMin = Double.NaN;
  private double fixedMax = Double.NaN;

  LineChart(String label, String yUnit, String xTitle) {
    this.label = label;
    this.yUnit = yUnit;
    this.xTitle = xTitle;
  }

  LineChart add(Series s) {
    series.add(s);
    return this;
  }

  LineChart reference(double y, String text) {
    if (Double.isFinite(y)) {
      references.add(new Reference(y, text));
    }
    return this;
  }

  /** Fixes the y range instead of fitting it to the data (which always starts at 0). */
  LineChart yRange(double min, double max) {
    fixedMin = min;
    fixedMax = max;
    return this;
  }

  String svg() {
    double xMax = 0;
    double yMax = 0;
    boolean any = false;
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        xMax = Math.max(xMax, s.x()[i]);
        if (Double.isFinite(s.y()[i])) {
          yMax = Math.max(yMax, s.y()[i]);
          any = true;
        }
      }
    }
    for (Reference r : references) {
      yMax = Math.max(yMax, r.y());
    }
    AxisScale y =
        Double.isNaN(fixedMin)
            ? AxisScale.covering(0, yMax * 1.05, 5)
            : new AxisScale(fixedMin, fixedMax, (fixedMax - fixedMin) / 5);
    AxisScale x = AxisScale.covering(0, Math.max(xMax, 1), 8);
    List<Frame.Key> keys = new ArrayList<>();
    series.forEach(s -> keys.add(new Frame.Key(s.name(), s.color(), s.dashed())));
    Frame frame = new Frame(label, keys, y, yUnit);
    Svg svg = frame.svg();
    for (double t : x.ticks()) {
      frame.xLabel(x.map(t, frame.left(), frame.right()), x.label(t));
    }
    frame.xTitle(xTitle);
    if (!any) {
      frame.message("no data");
      return frame.finish();
    }
    for (Reference r : references) {
      double py = frame.yOf(r.y());
      svg.line(frame.left(), py, frame.right(), py, Palette.INK, 1, "6 4");
      svg.text(frame.right() - 4, py - 4, "end", "ref", r.label());
    }
    for (Series s : series) {
      StringBuilder d = new StringBuilder();
      boolean penDown = false;
      int points = 0;
      for (int i = 0; i < s.x().length; i++) {
        if (!Double.isFinite(s.y()[i])) {
          penDown = false;
          continue;
        }
        d.append(penDown ? " L" : " M")
            .append(coord(x.map(s.x()[i], frame.left(), frame.right())))
            .append(' ')
            .append(coord(frame.yOf(s.y()[i])));
        penDown = true;
        points++;
      }
      svg.path(d.toString().strip(), s.color(), 2, s.dashed() ? "5 4" : "");
      if (points <= DOTS_UP_TO) {
        for (int i = 0; i < s.x().length; i++) {
          if (Double.isFinite(s.y()[i])) {
            svg.circle(
                x.map(s.x()[i], frame.left(), frame.right()),
                frame.yOf(s.y()[i]),
                2.5,
                s.color(),
                s.name()
                    + " at "
                    + x.label(s.x()[i])
                    + " s: "
                    + Html.num(s.y()[i], 2)
                    + " "
                    + yUnit);
          }
        }
      }
    }
    return frame.finish();
  }
}
