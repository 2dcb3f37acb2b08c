package io.flexserve.loadtest.run;

import io.flexserve.loadtest.report.Report;
import io.flexserve.loadtest.report.RequestRecord;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of a run.
 *
 * @param records one per request sent, in schedule order
 * @param report computed from {@code records}
 */
public record RunResult(List<RequestRecord> records, Report report) {
  public RunResult {
    records = List.copyOf(records);
    Objects.requireNonNull(report, "report");
  }
}
