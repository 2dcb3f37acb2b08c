package io.flexserve.loadtest.html;

import java.util.List;

/**
 * The common layout of every chart: a legend on top, a plot area with a horizontal grid and a
 * labelled y axis on the left, and room for x labels underneath. Charts draw their data inside
 * {@link #left()}..{@link #right()} and {@link #top()}..{@link #bottom()}.
 */
final class Frame {
  static final double WIDTH = 560;
  static final double HEIGHT = 250;
  private static final double LEFT = 54;
  private static final double RIGHT_MARGIN = 14;
  private static final double BOTTOM_MARGIN = 34;
  private static final double LEGEND_ROW = 16;
  private static final double CHAR_WIDTH = 6.3;

  /** One legend entry. */
  record Key(String name, String color, boolean dashed) {}

  private final Svg svg;
  private final double top;
  private final AxisScale y;

  /**
   * Starts a chart: lays out the legend (wrapping to more rows as needed), then the y grid and
   * axis.
   *
   * @param label accessible name of the chart
   * @param keys legend entries, in order; may be empty
   * @param y the y scale
   * @param yUnit unit written above the y axis, such as {@code ms}
   */
  Frame(String label, List<Key> keys, AxisScale y, String yUnit) {
    this.svg = new Svg(WIDTH, HEIGHT, label);
    this.y = y;
    double x = LEFT;
    double row = 0;
    for (Key key : keys) {
      double w = 22 + key.name().length() * CHAR_WIDTH + 14;
      if (x + w > WIDTH - RIGHT_MARGIN && x > LEFT) {
        x = LEFT;
        row++;
      }
      double ly = 12 + row * LEGEND_ROW;
      if (key.dashed()) {
        svg.line(x, ly - 4, x + 16, ly - 4, key.color(), 2, "4 3");
      } else {
        svg.rect(x, ly - 9, 16, 10, key.color(), "");
      }
      svg.text(x + 21, ly, "start", "legend", key.name());
      x += w;
    }
    this.top = (keys.isEmpty() ? 16 : 12 + (row + 1) * LEGEND_ROW) + 10;
    for (double t : y.ticks()) {
      double py = yOf(t);
      svg.line(LEFT, py, right(), py, Palette.GRID, 1, "");
      svg.text(LEFT - 6, py + 4, "end", "tick", y.label(t));
    }
    svg.text(LEFT - 6, top - 9, "end", "unit", yUnit);
  }

  Svg svg() {
    return svg;
  }

  double left() {
    return LEFT;
  }

  double right() {
    return WIDTH - RIGHT_MARGIN;
  }

  double top() {
    return top;
  }

  double bottom() {
    return HEIGHT - BOTTOM_MARGIN;
  }

  /** The y pixel of value {@code v}, clamped to the plot area. */
  double yOf(double v) {
    return Math.max(top, Math.min(bottom(), y.map(v, bottom(), top)));
  }

  /** An x tick label under the plot. */
  void xLabel(double px, String text) {
    svg.line(px, bottom(), px, bottom() + 4, Palette.INK, 1, "");
    svg.text(px, bottom() + 16, "middle", "tick", text);
  }

  /** The x axis title, right-aligned under the tick labels. */
  void xTitle(String text) {
    svg.text(right(), HEIGHT - 4, "end", "unit", text);
  }

  /** A centred message in the plot area, for charts without data. */
  void message(String text) {
    svg.text((LEFT + right()) / 2, (top + bottom()) / 2, "middle", "empty", text);
  }

  /** Draws the x axis line and returns the finished SVG. */
  String finish() {
    svg.line(LEFT, bottom(), right(), bottom(), Palette.INK, 1, "");
    svg.line(LEFT, top, LEFT, bottom(), Palette.INK, 1, "");
    return svg.close();
  }

  /** How many characters of label fit in {@code pixels}. */
  static int charsIn(double pixels) {
    return Math.max(1, (int) (pixels / CHAR_WIDTH));
  }
}
