package io.flexserve.server;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The server's command line, {@code java -jar flexserve.jar [serve] [--port N]}: used for its
 * {@code --help} text; {@link FlexServe#startServer} reads the options.
 */
@Command(
    name = "flexserve",
    mixinStandardHelpOptions = true,
    version = ServeCommand.VERSION,
    description =
        "Inference server for elastic (nested sub-network) models. Serves the models of"
            + " FLEXSERVE_MODEL_DIR, or the embedded default encoder when it is unset.")
public final class ServeCommand implements Runnable {
  public static final String VERSION = "flexserve 0.1.0";

  @Option(names = "--port", description = "HTTP port (default: MICRONAUT_SERVER_PORT or 8080).")
  Integer port;

  @Override
  public void run() {
    FlexServe.startServer(port == null ? new String[0] : new String[] {"--port", port.toString()});
  }
}
