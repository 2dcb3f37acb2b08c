package io.flexserve.loadtest.html;

import io.flexserve.loadtest.report.ReportDocument;
import java.util.List;

/**
 * Entry point of the HTML renderings. Each returns one self-contained HTML document: inline CSS and
 * SVG charts drawn here in Java, no JavaScript, no fonts, images or styles fetched from anywhere,
 * so it opens offline in any browser.
 */
public final class HtmlReports {
  private HtmlReports() {}

  /**
   * The report of one run: key figures; latency percentiles, SLO attainment, throughput and
   * goodput, 429s, sub-network share and (when known) mean quality per 1-second window; summary
   * tables; reading notes.
   *
   * @param doc the run's report and settings
   * @return the HTML document
   */
  public static String run(ReportDocument doc) {
    return RunPage.render(doc);
  }

  /**
   * Several runs side by side: a table, bar charts of attainment, goodput, p99, mean quality and
   * sub-network share, the same metrics over time as overlaid lines, and each run's settings.
   *
   * @param labels one label per run, shown in tables and legends
   * @param docs the runs, in the order to show them; one or more
   * @return the HTML document
   * @throws IllegalArgumentException if the lists differ in length or are empty
   */
  public static String compare(List<String> labels, List<ReportDocument> docs) {
    if (labels.size() != docs.size() || docs.isEmpty()) {
      throw new IllegalArgumentException(
          "need one label per run and at least one run, got "
              + labels.size()
              + " labels for "
              + docs.size()
              + " runs");
    }
    return ComparePage.render(labels, docs);
  }
}
