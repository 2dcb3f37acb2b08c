package io.flexserve.loadtest.run;

import java.util.Locale;

/** Which program sends a run's requests. */
public enum Sender {
  /** In process: the Netty client's event loop (OpenLoopSender). Every endpoint, streaming too. */
  NETTY,
  /**
   * A C subprocess that wakes once per request (NativeSender, {@code native-sender.c}): less CPU
   * per request, non-streaming requests only, needs gcc at first use.
   */
  NATIVE;

  /** The name the command line and the reports use. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
