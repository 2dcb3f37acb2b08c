package io.flexserve.server;

import io.flexserve.server.cli.FlexServeCommand;
import io.micronaut.runtime.Micronaut;
import picocli.CommandLine;

/**
 * Entry point of {@code flexserve.jar}. With no arguments (or only {@code --port N}) it starts the server; with a
 * subcommand it runs the CLI ({@code convert}, {@code bench …}).
 */
public final class FlexServe {
  private FlexServe() {}

  public static void main(String[] args) {
    // The product makes no outbound connections: keep DJL from checking for updates / reporting usage.
    System.setProperty("ai.djl.offline", "true");
    if (args.length == 0 || args[0].startsWith("-")) {
      startServer(args);
      return;
    }
    System.exit(new CommandLine(new FlexServeCommand()).execute(args));
  }

  /** Starts the HTTP server; {@code --port N} overrides {@code MICRONAUT_SERVER_PORT}. */
  public static void startServer(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--port") && i + 1 < args.length) {
        System.setProperty("micronaut.server.port", args[++i]);
      } else if (args[i].startsWith("--port=")) {
        System.setProperty("micronaut.server.port", args[i].substring("--port=".length()));
      } else if (args[i].equals("--help") || args[i].equals("-h")) {
        new CommandLine(new FlexServeCommand()).usage(System.out);
        return;
      }
    }
    Micronaut.build(new String[0]).mainClass(FlexServe.class).banner(false).start();
  }
}
