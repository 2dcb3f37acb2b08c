package io.flexserve.loadtest.html;

import static io.flexserve.loadtest.html.Html.escape;

import java.util.List;

/**
 * One self-contained HTML document: inline stylesheet, inline SVG, no script, no external resource
 * of any kind, so it opens the same offline, from a file, or as a mail attachment.
 */
final class Page {
  private static final String CSS =
      """
            :root { color-scheme: light; }
            body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
                   color: #222; background: #fafafa; margin: 0; }
            main { max-width: 1180px; margin: 0 auto; padding: 20px 24px 40px; }
            h1 { font-size: 22px; margin: 4px 0 2px; }
            h2 { font-size: 17px; margin: 28px 0 10px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
            .sub { color: #555; margin: 0 0 14px; }
            .tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; }
            .tile { background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; padding: 10px 12px; }
            .tile .v { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
            .tile .k { color: #666; font-size: 12px; }
            .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 14px; }
            figure { margin: 0; background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; padding: 10px 12px 8px; }
            figcaption { font-weight: 600; margin-bottom: 2px; }
            figure p { color: #666; font-size: 12px; margin: 4px 0 0; }
            svg.chart { width: 100%; height: auto; display: block; font: 11px system-ui, Arial, sans-serif; }
            svg.chart .tick { fill: #555; }
            svg.chart .unit { fill: #555; font-style: italic; }
            svg.chart .legend { fill: #333; }
            svg.chart .value { fill: #333; font-weight: 600; }
            svg.chart .ref { fill: #333; font-size: 10px; }
            svg.chart .empty { fill: #999; font-size: 13px; }
            table { border-collapse: collapse; background: #fff; border: 1px solid #e2e2e2; margin: 0 0 12px; }
            th, td { padding: 4px 10px; text-align: right; border-bottom: 1px solid #eee;
                     font-variant-numeric: tabular-nums; }
            th { background: #f2f2f2; font-weight: 600; }
            th:first-child, td:first-child { text-align: left; }
            th.text, td.text { text-align: left; }
            .tables { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
            .swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; border-radius: 2px; }
            .notes { color: #444; font-size: 13px; }
            .notes li { margin: 3px 0; }
            """;

  private final StringBuilder body = new StringBuilder();
  private final String title;

  Page(String title, String subtitle) {
    this.title = title;
    body.append("<h1>")
        .append(escape(title))
        .append("</h1>\n<p class=\"sub\">")
        .append(escape(subtitle))
        .append("</p>\n");
  }

  Page heading(String text) {
    body.append("<h2>").append(escape(text)).append("</h2>\n");
    return this;
  }

  /** Key figures, each a value over its label. */
  Page tiles(List<String[]> valueAndLabel) {
    body.append("<div class=\"tiles\">");
    for (String[] t : valueAndLabel) {
      body.append("<div class=\"tile\"><div class=\"v\">")
          .append(escape(t[0]))
          .append("</div><div class=\"k\">")
          .append(escape(t[1]))
          .append("</div></div>");
    }
    body.append("</div>\n");
    return this;
  }

  Page openGrid() {
    body.append("<div class=\"grid\">\n");
    return this;
  }

  Page closeGrid() {
    body.append("</div>\n");
    return this;
  }

  /** A chart with its caption and a one-line note on how to read it. */
  Page figure(String caption, String svg, String note) {
    body.append("<figure><figcaption>").append(escape(caption)).append("</figcaption>").append(svg);
    if (!note.isEmpty()) {
      body.append("<p>").append(escape(note)).append("</p>");
    }
    body.append("</figure>\n");
    return this;
  }

  Page openTables() {
    body.append("<div class=\"tables\">\n");
    return this;
  }

  Page closeTables() {
    body.append("</div>\n");
    return this;
  }

  /**
   * A table; the first row is the header. Cells in {@code textColumns} (other than the first, which
   * always is) are left-aligned.
   */
  Page table(List<String[]> rows, int... textColumns) {
    return table(rows, List.of(), textColumns);
  }

  /**
   * A table whose data rows start with a colour swatch: {@code swatches.get(i)} (a {@link Palette}
   * colour, or empty for none) goes before the first cell of data row {@code i}.
   */
  Page table(List<String[]> rows, List<String> swatches, int... textColumns) {
    body.append("<table>");
    for (int r = 0; r < rows.size(); r++) {
      body.append("<tr>");
      String[] row = rows.get(r);
      String tag = r == 0 ? "th" : "td";
      for (int c = 0; c < row.length; c++) {
        final int column = c;
        boolean text = c > 0 && java.util.Arrays.stream(textColumns).anyMatch(t -> t == column);
        body.append('<').append(tag).append(text ? " class=\"text\"" : "").append('>');
        if (c == 0 && r > 0 && r - 1 < swatches.size() && !swatches.get(r - 1).isEmpty()) {
          body.append("<span class=\"swatch\" style=\"background:")
              .append(swatches.get(r - 1))
              .append("\"></span>");
        }
        body.append(escape(row[c])).append("</").append(tag).append('>');
      }
      body.append("</tr>");
    }
    body.append("</table>\n");
    return this;
  }

  Page notes(List<String> items) {
    body.append("<ul class=\"notes\">");
    items.forEach(i -> body.append("<li>").append(escape(i)).append("</li>"));
    body.append("</ul>\n");
    return this;
  }

  String html() {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        + "<title>"
        + escape(title)
        + "</title>\n<style>\n"
        + CSS
        + "</style>\n</head>\n<body>\n<main>\n"
        + body
        + "</main>\n</body>\n</html>\n";
  }
}
