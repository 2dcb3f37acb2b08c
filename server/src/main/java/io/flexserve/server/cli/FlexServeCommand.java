package io.flexserve.server.cli;

import picocli.CommandLine.Command;

/** {@code java -jar flexserve.jar <command>}; no command starts the server. */
@Command(
    name = "flexserve",
    mixinStandardHelpOptions = true,
    version = "flexserve 0.1.0",
    description = "Inference server for elastic (nested sub-network) models.",
    subcommands = {
      ServeCommand.class,
      ConvertCommand.class,
      ConvertVisionCommand.class,
      EvalCommand.class,
      GenerateCommand.class,
      SynthCommand.class,
      SynthVisionCommand.class,
      BenchCommand.class,
      SimulateCommand.class
    })
public final class FlexServeCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }
}
