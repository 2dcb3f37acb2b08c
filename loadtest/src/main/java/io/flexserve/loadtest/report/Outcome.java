package io.flexserve.loadtest.report;

/** How one request ended, from the client's point of view. */
public enum Outcome {
  /** A 2xx response arrived. */
  OK,
  /** The server shed the request with 429 Too Many Requests. */
  REJECTED,
  /** Any other HTTP status (4xx other than 429, 5xx, 1xx/3xx). */
  HTTP_ERROR,
  /** No response within the per-request timeout. */
  TIMEOUT,
  /** The exchange failed without a status: refused connection, reset, malformed response. */
  TRANSPORT_ERROR;

  /** Returns the outcome of a request that received an HTTP response with {@code status}. */
  public static Outcome ofStatus(int status) {
    if (status >= 200 && status < 300) {
      return OK;
    }
    return status == 429 ? REJECTED : HTTP_ERROR;
  }

  /** Whether this outcome carries an HTTP status. */
  public boolean hasStatus() {
    return this == OK || this == REJECTED || this == HTTP_ERROR;
  }
}
