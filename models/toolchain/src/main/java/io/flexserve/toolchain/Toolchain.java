package io.flexserve.toolchain;

import picocli.CommandLine;

/** Entry point of {@code flexserve-toolchain.jar}. */
public final class Toolchain {
  private Toolchain() {}

  public static void main(String[] args) {
    // The product makes no outbound connections: keep DJL from checking for updates / reporting
    // usage.
    System.setProperty("ai.djl.offline", "true");
    System.exit(runCli(args));
  }

  /**
   * Runs a CLI subcommand and returns its exit code: 0 done, 1 failed, 2 bad usage (picocli's own
   * check, before any work). A failure prints one line, {@code flexserve <command>: error: <what>};
   * {@code --verbose} anywhere on the command line prints the stack trace instead.
   */
  public static int runCli(String[] args) {
    boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
    String[] rest =
        java.util.Arrays.stream(args).filter(a -> !a.equals("--verbose")).toArray(String[]::new);
    CommandLine cli = new CommandLine(new ToolchainCommand());
    cli.setExecutionExceptionHandler(
        (e, command, parsed) -> {
          if (verbose) {
            e.printStackTrace(command.getErr());
          } else {
            command
                .getErr()
                .println(
                    "flexserve "
                        + command.getCommandName()
                        + ": error: "
                        + oneLine(e)
                        + " (--verbose for the stack trace)");
          }
          command.getErr().flush();
          return 1;
        });
    return cli.execute(rest);
  }

  /** The exception's message and its causes' messages that add to it, on one line. */
  static String oneLine(Throwable e) {
    StringBuilder out = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().strip();
      if (t instanceof java.nio.file.NoSuchFileException) {
        m = "no such file: " + m; // its message is the bare path
      } else if (t instanceof java.nio.file.AccessDeniedException) {
        m = "permission denied: " + m;
      }
      if (out.indexOf(m) < 0) {
        out.append(out.length() == 0 ? "" : ": ").append(m);
      }
    }
    return out.toString().replaceAll("\\s*\\R\\s*", " ");
  }
}
