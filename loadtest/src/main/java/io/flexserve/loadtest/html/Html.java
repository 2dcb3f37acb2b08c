package io.flexserve.loadtest.html;

import java.util.Locale;

/** Escaping and number formatting shared by the pages and charts. */
final class Html {
  private Html() {}

  /** Escapes text for HTML and SVG element content and double-quoted attribute values. */
  static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> {
          // XML 1.0 forbids most control characters even when escaped; SVG is XML.
          if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            out.append('\uFFFD');
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  /** {@code String.format} in the root locale, so decimals always use a point. */
  static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  /** A number with {@code decimals} decimals, or an en dash when it is NaN or infinite. */
  static String num(double v, int decimals) {
    return Double.isFinite(v) ? fmt("%." + decimals + "f", v) : "\u2013";
  }

  /** A fraction as a percentage with two decimals, or an en dash when NaN. */
  static String percent(double fraction) {
    return Double.isFinite(fraction) ? fmt("%.2f %%", 100 * fraction) : "\u2013";
  }

  /** Coordinates in SVG user units, with one decimal. */
  static String coord(double v) {
    return fmt("%.1f", v);
  }
}
