package io.flexserve.loadtest;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar flexserve-loadtest.jar [run] [options] | compare FILE... | sweep [options]}.
 *
 * <p>Without a subcommand the options are those of {@code run}: one open-loop load test. {@code
 * compare} puts saved JSON reports side by side; {@code sweep} searches for the highest rate that
 * still meets an SLO.
 *
 * <p>Exit status: 0 when the command completed (whatever the SLO attainment); 1 when the server
 * never became ready, a report to compare could not be read, or an output file could not be
 * written; 2 for invalid options, including unreadable input files and a URL that is not loopback
 * without {@code --allow-remote}.
 */
@Command(
    name = "loadtest",
    mixinStandardHelpOptions = true,
    version = "flexserve-loadtest 0.1.0",
    sortOptions = false,
    usageHelpAutoWidth = true,
    subcommands = {RunCommand.class, CompareCommand.class, SweepCommand.class},
    description =
        "Open-loop load test of a flexserve server: requests per second at a latency target, and quality.",
    footer = "%nWithout a command, runs one load test with the options above (same as 'run').")
public final class LoadTest implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RunOptions options;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured picocli command line, for {@link #main} and tests. */
  static CommandLine commandLine() {
    return new CommandLine(new LoadTest()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  @Override
  public Integer call() throws InterruptedException {
    return RunCommand.execute(options, spec);
  }
}
