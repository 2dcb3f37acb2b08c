package io.flexserve.server.cli;

import io.flexserve.server.FlexServe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flexserve serve [--port N]}: the same as running the jar with no arguments. */
@Command(
    name = "serve",
    description = "Start the HTTP server (the default when no command is given).")
public final class ServeCommand implements Runnable {
  @Option(names = "--port", description = "HTTP port (default: MICRONAUT_SERVER_PORT or 8080).")
  Integer port;

  @Override
  public void run() {
    FlexServe.startServer(port == null ? new String[0] : new String[] {"--port", port.toString()});
  }
}
