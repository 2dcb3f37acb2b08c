package io.flexserve.loadtest.http;

/** What the client does with a response body. */
public enum BodyMode {
  /** Reads and drops it; {@link Exchange#completed} gets an empty body. */
  DISCARD,
  /** Collects it and hands it over whole, decoded as UTF-8, in {@link Exchange#completed}. */
  WHOLE,
  /**
   * Hands over each line (split at {@code \n}, without the line end, {@code \r} stripped) to {@link
   * Exchange#line} as soon as it has arrived; a stream of server-sent events.
   */
  LINES
}
