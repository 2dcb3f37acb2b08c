package io.flexserve.server;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The server's command line, {@code java -jar flexserve.jar [serve] [--port N]}, as {@code --help}
 * prints it. {@link FlexServe#startServer} reads the options itself: it ignores what it does not
 * know, as it always has, where picocli would refuse it.
 */
@Command(
    name = "flexserve",
    mixinStandardHelpOptions = true,
    version = ServeCommand.VERSION,
    description =
        "Inference server for elastic (nested sub-network) models. Serves the models of"
            + " FLEXSERVE_MODEL_DIR, or the embedded default encoder when it is unset.")
public final class ServeCommand {
  public static final String VERSION = "flexserve 0.1.0";

  @Option(names = "--port", description = "HTTP port (default: MICRONAUT_SERVER_PORT or 8080).")
  Integer port; // for the help text only
}
