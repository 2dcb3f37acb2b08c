package io.flexserve.loadtest.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A report together with the settings of the run that produced it: what {@link JsonReport} writes
 * and reads back.
 *
 * @param settings labelled run settings, in their original order
 * @param report the report
 */
public record ReportDocument(Map<String, String> settings, Report report) {
  public ReportDocument {
    settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    Objects.requireNonNull(report, "report");
  }
}
