package io.flexserve.loadtest.run;

import java.net.URI;
import java.time.Duration;

/** The readiness probe did not answer 200 within the ready timeout; nothing was sent. */
public final class ServerNotReadyException extends Exception {
  private static final long serialVersionUID = 1L;

  public ServerNotReadyException(URI probe, Duration waited) {
    super("server not ready: " + probe + " did not answer 200 within " + waited.toSeconds() + " s");
  }
}
