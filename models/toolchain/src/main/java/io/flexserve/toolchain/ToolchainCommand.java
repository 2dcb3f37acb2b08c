package io.flexserve.toolchain;

import io.flexserve.server.ServeCommand;
import picocli.CommandLine.Command;

/**
 * {@code ./flexserve <command>} (or {@code java -jar flexserve-toolchain.jar <command>}): the
 * offline commands. Serving is the server jar's only job.
 */
@Command(
    name = "flexserve",
    mixinStandardHelpOptions = true,
    version = ServeCommand.VERSION,
    description = "Offline toolchain of flexserve: convert, evaluate and benchmark elastic models.",
    subcommands = {
      ConvertCommand.class,
      ConvertVisionCommand.class,
      EvalCommand.class,
      GenerateCommand.class,
      SynthCommand.class,
      SynthVisionCommand.class,
      BenchCommand.class,
      SimulateCommand.class
    })
public final class ToolchainCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }
}
