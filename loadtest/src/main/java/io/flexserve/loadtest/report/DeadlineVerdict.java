package io.flexserve.loadtest.report;

/**
 * The server's own judgement of a latency target, from the {@code X-Deadline-Met} response header.
 */
public enum DeadlineVerdict {
  /** The header was absent: no target was sent, or there was no successful response. */
  NOT_REPORTED,
  /** {@code X-Deadline-Met: true}. */
  MET,
  /** {@code X-Deadline-Met: false}, or any other value. */
  MISSED;

  /** Parses the header value; {@code null} means absent. */
  public static DeadlineVerdict fromHeader(String value) {
    if (value == null) {
      return NOT_REPORTED;
    }
    return value.strip().equalsIgnoreCase("true") ? MET : MISSED;
  }

  /** The header spelling ({@code true}/{@code false}), or an empty string when not reported. */
  public String headerValue() {
    return switch (this) {
      case NOT_REPORTED -> "";
      case MET -> "true";
      case MISSED -> "false";
    };
  }
}
