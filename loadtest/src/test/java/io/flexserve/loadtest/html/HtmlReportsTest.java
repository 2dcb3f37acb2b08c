package io.flexserve.loadtest.html;

import static io.flexserve.loadtest.testing.Records.ok;
import static io.flexserve.loadtest.testing.Records.status;
import static io.flexserve.loadtest.testing.Records.timeout;
import static io.flexserve.loadtest.testing.Records.withTarget;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.loadtest.report.Report;
import io.flexserve.loadtest.report.ReportDocument;
import io.flexserve.loadtest.report.RequestRecord;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;

class HtmlReportsTest {
  private static final Pattern SVG = Pattern.compile("<svg.*?</svg>", Pattern.DOTALL);

  // Five seconds of traffic: two sub-networks (one with a hostile name), a 429 and a timeout.
  private static ReportDocument run(String label) {
    List<RequestRecord> records = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      records.add(
          i % 7 == 3
              ? status(i, i * 100.0, 1, 429)
              : ok(i, i * 100.0, 5 + i % 11, i % 2 == 0 ? "full" : "<b>small&\"x\"</b>"));
    }
    records.add(timeout(50, 4950, 40));
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("label", label);
    settings.put("arrival", "poisson 10.0 req/s");
    settings.put("latency target", "10 ms");
    settings.put("note", "<script>alert(1)</script>");
    return new ReportDocument(
        settings,
        Report.of(withTarget(records, 10), Map.of("full", 1.0, "<b>small&\"x\"</b>", 0.47)));
  }

  @Test
  void run_isOneSelfContainedDocument_withNoScriptOrExternalResource() {
    String html = HtmlReports.run(run("a"));

    assertTrue(html.startsWith("<!DOCTYPE html>"));
    assertTrue(html.trim().endsWith("</html>"));
    assertSelfContained(html);
    assertEquals(
        8,
        count(html, "<svg "),
        "latency, attainment, attainment by sub-network, rates, 429, sub-network share, quality,"
            + " latency CDF");
    assertTrue(html.contains("Latency CDF"), "the CDF chart");
    assertTrue(html.contains("SLO attainment by sub-network"));
  }

  @Test
  void run_everyChartIsWellFormedXml() throws Exception {
    assertChartsParse(HtmlReports.run(run("a")));
    assertChartsParse(HtmlReports.compare(List.of("a", "b"), List.of(run("a"), run("b"))));
  }

  @Test
  void run_escapesSettingsAndSubnetNames() {
    String html = HtmlReports.run(run("a"));

    assertFalse(html.contains("<script>"), "settings must be escaped");
    assertFalse(html.contains("<b>small"), "sub-network names must be escaped");
    assertTrue(html.contains("&lt;b&gt;small&amp;&quot;x&quot;&lt;/b&gt;"));
    assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
  }

  @Test
  void run_showsKeyFiguresAndTargetLine() {
    ReportDocument doc = run("a");
    String html = HtmlReports.run(doc);

    assertTrue(html.contains(Html.percent(doc.report().sloAttainment())), "attainment tile");
    assertTrue(html.contains("target 10.0 ms"), "reference line at the single target");
    assertTrue(html.contains("How to read this report"));
  }

  @Test
  void run_emptyRun_rendersChartsWithoutData() {
    String html = HtmlReports.run(new ReportDocument(Map.of(), Report.of(List.of())));

    assertSelfContained(html);
    assertTrue(html.contains("no data"));
    assertEquals(5, count(html, "<svg "), "no quality chart without qualities");
  }

  @Test
  void compare_hasARowAndAColourPerRun() {
    String html =
        HtmlReports.compare(
            List.of("policy A", "policy B", "policy C"),
            List.of(
                run("a"),
                run("b"),
                new ReportDocument(Map.of(), Report.of(List.of(ok(0, 0, 1, "full"))))));

    assertSelfContained(html);
    assertEquals(
        3, count(html, "</span>policy "), "one table row per run, each with its colour swatch");
    assertTrue(html.contains("background:" + Palette.nth(2)));
    assertTrue(count(html, "<svg ") >= 9);
    assertThrows(
        IllegalArgumentException.class, () -> HtmlReports.compare(List.of("x"), List.of()));
  }

  @Test
  void axisScale_picksNiceTicks() {
    AxisScale a = AxisScale.covering(0, 97, 5);
    assertEquals(0, a.min());
    assertEquals(100, a.max());
    assertEquals(20, a.step());
    AxisScale b = AxisScale.covering(0, 0.37, 5);
    assertEquals(0.1, b.step(), 1e-12);
    assertEquals("0.3", b.label(0.30000000000000004));
    AxisScale flat = AxisScale.covering(0, 0, 5);
    assertTrue(flat.max() > flat.min());
    assertEquals(
        List.of("0", "20", "40", "60", "80", "100"),
        java.util.Arrays.stream(a.ticks()).mapToObj(a::label).toList());
  }

  private static void assertSelfContained(String html) {
    String lower = html.toLowerCase(java.util.Locale.ROOT);
    for (String forbidden :
        List.of("<script", "src=", "href=", "url(", "@import", "<link", "<iframe")) {
      assertFalse(lower.contains(forbidden), "contains " + forbidden);
    }
    assertEquals(
        count(lower, "://"),
        count(lower, "xmlns=\"http://www.w3.org/2000/svg\""),
        "the only URL is the SVG namespace name, which is never fetched");
  }

  private static void assertChartsParse(String html) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Matcher m = SVG.matcher(html);
    int charts = 0;
    while (m.find()) {
      factory
          .newDocumentBuilder()
          .parse(new ByteArrayInputStream(m.group().getBytes(StandardCharsets.UTF_8)));
      charts++;
    }
    assertTrue(charts >= 5, "charts: " + charts);
  }

  private static int count(String s, String needle) {
    int n = 0;
    for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
