package io.flexserve.loadtest.report;

import static io.flexserve.loadtest.testing.Records.ok;
import static io.flexserve.loadtest.testing.Records.status;
import static io.flexserve.loadtest.testing.Records.timeout;
import static io.flexserve.loadtest.testing.Records.withTarget;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RenderingTest {
  private static final List<RequestRecord> RECORDS =
      withTarget(
          List.of(
              ok(0, 0, 10, "w384-d6", DeadlineVerdict.MET),
              ok(1, 100, 30, "tiny,\"odd\" name", DeadlineVerdict.MISSED),
              status(2, 200, 1, 429),
              timeout(3, 300, 100)),
          20);
  private static final Map<String, String> SETTINGS =
      new LinkedHashMap<>(Map.of("url", "http://127.0.0.1:8080"));

  @Test
  void json_hasCountsRatesAndEscapedSubnetNames() {
    String json = JsonReport.render(Report.of(RECORDS), SETTINGS);

    assertTrue(
        json.startsWith(
            "{\"format\":\"flexserve-loadtest-report\",\"version\":2,"
                + "\"settings\":{\"url\":\"http://127.0.0.1:8080\"},\"counts\":{\"sent\":4,\"ok\":2,"
                + "\"rejected429\":1,\"otherStatus\":0,\"timeouts\":1,\"transportErrors\":0,\"good\":1,"
                + "\"targeted\":4,\"byStatus\":{\"200\":2,\"429\":1},\"errorKinds\":{\"HttpTimeoutException\":1}},"
                + "\"targetMs\":{\"min\":20.0,\"max\":20.0},"),
        json);
    assertTrue(json.contains("\"sloAttainment\":0.25,"), json);
    assertTrue(json.contains("\"serverDeadline\":{\"reported\":2,\"met\":1}"), json);
    assertTrue(json.contains("\"tiny,\\\"odd\\\" name\":{\"count\":1,\"share\":0.5}"), json);
  }

  @Test
  void json_absentValues_areNull() {
    String json = JsonReport.render(Report.of(List.of(status(0, 0, 1, 503))), Map.of());

    assertTrue(json.contains("\"targetMs\":{\"min\":null,\"max\":null}"), json);
    assertTrue(json.contains("\"meanQuality\":null"), json);
    assertTrue(json.contains("\"endToEnd\":{\"count\":0,\"p50\":null,"), json);
    assertTrue(json.contains("\"sloAttainment\":0.0"), json);
  }

  @Test
  void console_listsSectionsAndAlignedLatencyColumns() {
    String text = ConsoleReport.render(Report.of(RECORDS), SETTINGS);

    assertTrue(text.contains("25.00 % (1 of 4 sent)"), text);
    assertTrue(text.contains("(2xx within 20 ms)"), text);
    String[] lines = text.split("\n");
    int header =
        List.of(lines)
            .indexOf(
                List.of(lines).stream().filter(l -> l.contains("p50")).findFirst().orElseThrow());
    assertEquals(lines[header].length(), lines[header + 1].length(), text);
    assertEquals(lines[header].length(), lines[header + 2].length(), text);
  }

  @Test
  void csv_oneRowPerRecord_quotesAwkwardFields() throws IOException {
    StringWriter out = new StringWriter();

    CsvRecords.write(RECORDS, out);

    String[] lines = out.toString().split("\n");
    assertEquals(5, lines.length);
    assertEquals(CsvRecords.HEADER, lines[0]);
    assertEquals(
        "0,0.000,20.000,OK,200,10.000,10.000,w384-d6,true,0.100,1.000,,embeddings,,,,,,,,,",
        lines[1]);
    assertTrue(lines[2].contains(",\"tiny,\"\"odd\"\" name\",false,"), lines[2]);
    assertEquals("2,200.000,20.000,REJECTED,429,1.000,1.000,,,,,,embeddings,,,,,,,,,", lines[3]);
    assertEquals(
        "3,300.000,20.000,TIMEOUT,,100.000,100.000,,,,,HttpTimeoutException: request timed out,embeddings,,,,,,,,,",
        lines[4]);
  }

  @Test
  void json_roundTrip_givesTheSameReportAndSettings() {
    List<RequestRecord> records = new java.util.ArrayList<>(RECORDS);
    records.add(ok(4, 2400, 7, "w384-d6"));
    Report report = Report.of(records, Map.of("w384-d6", 1.0, "w192-d3", 0.6));

    ReportDocument doc = JsonReport.parse(JsonReport.render(report, SETTINGS));

    assertEquals(report, doc.report());
    assertEquals(SETTINGS, doc.settings());
    assertEquals(3, doc.report().windows().size());
  }

  @Test
  void json_roundTrip_keepsModelsGeneratorCostAndLatencyDistribution() {
    List<RequestRecord> records =
        List.of(
            withTarget(ok(0, 0, 10, "full"), 20).withModel("enc"),
            withTarget(ok(1, 100, 30, "full"), 20).withModel("llm"),
            withTarget(status(2, 200, 1, 429), 20).withModel("llm"));
    Report report =
        Report.of(records, Map.of("enc/full", 1.0, "llm/full", 1.0))
            .withGenerator(new GeneratorCost(3, 1, 1.5, 0.0001, 0.00005));

    String json = JsonReport.render(report, SETTINGS);
    ReportDocument doc = JsonReport.parse(json);

    assertEquals(report, doc.report());
    assertTrue(json.contains("\"processCpuUsPerRequest\":33.3"), json);
    assertTrue(
        json.contains("\"models\":{\"enc\":{\"count\":1,\"good\":1,\"attainment\":1.0}"), json);
    assertEquals(Report.CDF_FRACTIONS.length, doc.report().latencyCdf().size());
    assertEquals(3, doc.report().sendLag().count());
    String console = ConsoleReport.render(report, SETTINGS);
    assertTrue(console.contains("33.3 \u00b5s process (within the 50 \u00b5s budget)"), console);
    assertTrue(console.contains("send lag"), console);
  }

  @Test
  void parse_notAReportOrOtherVersion_failsWithMessage() {
    IllegalArgumentException notReport =
        assertThrows(IllegalArgumentException.class, () -> JsonReport.parse("{\"counts\":{}}"));
    assertTrue(
        notReport.getMessage().contains("not a flexserve-loadtest report"), notReport.getMessage());
    IllegalArgumentException version =
        assertThrows(
            IllegalArgumentException.class,
            () -> JsonReport.parse("{\"format\":\"flexserve-loadtest-report\",\"version\":1}"));
    assertTrue(version.getMessage().contains("version 1"), version.getMessage());
    assertThrows(IllegalArgumentException.class, () -> JsonReport.parse("[1,2"));
  }

  @Test
  void parse_malformedJsonOrMembers_failsNamingThePositionOrMember() {
    String good = JsonReport.render(Report.of(RECORDS), SETTINGS);
    for (String bad :
        List.of(
            "",
            "{",
            "{\"a\":1,}",
            "{'a':1}",
            "{\"a\":01}",
            "{\"a\":NaN}",
            "{\"a\":\"tab\there\"}",
            "{\"a\":\"\\x\"}",
            good + " 2")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> JsonReport.parse(bad), bad);
      assertTrue(e.getMessage().startsWith("invalid JSON at line 1, column "), e.getMessage());
    }
    assertParseFails(
        good.replace("\"sent\":4,", "\"sent\":\"4\","), "member 'sent' must be a number");
    assertParseFails(good.replace("\"sent\":4,", "\"sent\":4.5,"), "'sent' must be a whole number");
    assertParseFails(good.replace("\"sent\":4,", ""), "missing member 'sent'");
    assertParseFails(
        good.replace("\"windows\":[", "\"windows\":[1,"), "windows[0] must be an object");
    assertParseFails(
        good.replace("\"durationSeconds\":", "\"durationSeconds\":1e999,\"x\":"), "out of range");
  }

  private static void assertParseFails(String text, String expected) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> JsonReport.parse(text));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void number_nonFinite_isWrittenAsNull() {
    com.fasterxml.jackson.databind.node.ObjectNode o =
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    JsonReport.putNumber(o, "nan", Double.NaN);
    JsonReport.putNumber(o, "inf", Double.NEGATIVE_INFINITY);
    JsonReport.putNumber(o, "x", 2.5);

    assertEquals("{\"nan\":null,\"inf\":null,\"x\":2.5}", JsonReport.write(o));
  }

  @Test
  void comparison_console_hasOneRowPerRunAndSubnetShares() {
    ReportDocument a = new ReportDocument(SETTINGS, Report.of(RECORDS));
    ReportDocument b =
        new ReportDocument(Map.of("latency target", "5 ms"), Report.of(List.of(ok(0, 0, 1, "x"))));

    String text = ConsoleComparison.render(List.of("first", "second"), List.of(a, b));

    assertTrue(text.contains("first"), text);
    assertTrue(text.contains("second"), text);
    assertTrue(text.contains("100.0 %"), text);
    assertTrue(text.contains("5 ms"), text);
  }
}
