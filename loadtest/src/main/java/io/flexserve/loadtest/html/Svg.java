package io.flexserve.loadtest.html;

import static io.flexserve.loadtest.html.Html.coord;
import static io.flexserve.loadtest.html.Html.escape;

/**
 * Writes one inline SVG element. Text and tooltips are escaped here; colours and dash patterns come
 * from this package's constants, never from user input. Styling shared by every chart (font, axis
 * colours) lives in the page's stylesheet under the {@code svg.chart} selector.
 */
final class Svg {
  private final StringBuilder out = new StringBuilder();

  Svg(double width, double height, String label) {
    out.append("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ")
        .append(coord(width))
        .append(' ')
        .append(coord(height))
        .append("\" role=\"img\" aria-label=\"")
        .append(escape(label))
        .append("\">");
  }

  Svg line(double x1, double y1, double x2, double y2, String stroke, double width, String dash) {
    out.append("<line x1=\"")
        .append(coord(x1))
        .append("\" y1=\"")
        .append(coord(y1))
        .append("\" x2=\"")
        .append(coord(x2))
        .append("\" y2=\"")
        .append(coord(y2))
        .append("\" stroke=\"")
        .append(stroke)
        .append("\" stroke-width=\"")
        .append(width)
        .append('"');
    if (!dash.isEmpty()) {
      out.append(" stroke-dasharray=\"").append(dash).append('"');
    }
    out.append("/>");
    return this;
  }

  /** A filled rectangle; {@code tooltip} (may be empty) shows on hover. */
  Svg rect(double x, double y, double w, double h, String fill, String tooltip) {
    out.append("<rect x=\"")
        .append(coord(x))
        .append("\" y=\"")
        .append(coord(y))
        .append("\" width=\"")
        .append(coord(Math.max(0, w)))
        .append("\" height=\"")
        .append(coord(Math.max(0, h)))
        .append("\" fill=\"")
        .append(fill)
        .append('"');
    if (tooltip.isEmpty()) {
      out.append("/>");
    } else {
      out.append("><title>").append(escape(tooltip)).append("</title></rect>");
    }
    return this;
  }

  /** Text; {@code anchor} is start, middle or end; {@code cssClass} may be empty. */
  Svg text(double x, double y, String anchor, String cssClass, String text) {
    out.append("<text x=\"")
        .append(coord(x))
        .append("\" y=\"")
        .append(coord(y))
        .append("\" text-anchor=\"")
        .append(anchor)
        .append('"');
    if (!cssClass.isEmpty()) {
      out.append(" class=\"").append(cssClass).append('"');
    }
    out.append('>').append(escape(text)).append("</text>");
    return this;
  }

  /** An unfilled path; {@code d} is built from numbers by the caller. */
  Svg path(String d, String stroke, double width, String dash) {
    out.append("<path d=\"")
        .append(d)
        .append("\" fill=\"none\" stroke=\"")
        .append(stroke)
        .append("\" stroke-width=\"")
        .append(width)
        .append("\" stroke-linejoin=\"round\"");
    if (!dash.isEmpty()) {
      out.append(" stroke-dasharray=\"").append(dash).append('"');
    }
    out.append("/>");
    return this;
  }

  Svg circle(double cx, double cy, double r, String fill, String tooltip) {
    out.append("<circle cx=\"")
        .append(coord(cx))
        .append("\" cy=\"")
        .append(coord(cy))
        .append("\" r=\"")
        .append(coord(r))
        .append("\" fill=\"")
        .append(fill)
        .append("\"><title>")
        .append(escape(tooltip))
        .append("</title></circle>");
    return this;
  }

  String close() {
    return out.append("</svg>").toString();
  }
}
