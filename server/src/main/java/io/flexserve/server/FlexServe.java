package io.flexserve.server;

import io.flexserve.server.catalog.ModelCatalog;
import io.flexserve.server.cli.FlexServeCommand;
import io.flexserve.server.config.FlexserveConfig;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.Micronaut;
import java.time.Duration;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import sun.misc.Signal;

/**
 * Entry point of {@code flexserve.jar}. With no arguments (or only {@code --port N}) it starts the
 * server; with a subcommand it runs the CLI ({@code convert}, {@code bench …}).
 */
public final class FlexServe {
  private FlexServe() {}

  public static void main(String[] args) {
    // The product makes no outbound connections: keep DJL from checking for updates / reporting
    // usage.
    System.setProperty("ai.djl.offline", "true");
    if (startsServer(args)) {
      startServer(args);
      return;
    }
    System.exit(runCli(args));
  }

  /**
   * No arguments, or only server options ({@code --port N}, {@code --help}), start the server;
   * {@code -V} and subcommands run the CLI.
   */
  public static boolean startsServer(String[] args) {
    if (args.length == 0) {
      return true;
    }
    return args[0].startsWith("-") && !args[0].equals("-V") && !args[0].equals("--version");
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
    CommandLine cli = new CommandLine(new FlexServeCommand());
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
    // A named repository that is missing or empty is an operator's mistake: say so and stop, before
    // anything starts.
    String modelDir =
        System.getProperty(
            "flexserve.model-dir", System.getenv().getOrDefault("FLEXSERVE_MODEL_DIR", ""));
    java.util.Optional<String> problem =
        io.flexserve.server.catalog.ModelDirectory.problem(modelDir);
    if (problem.isPresent()) {
      System.err.println("flexserve: " + problem.get());
      System.exit(2);
    }
    portInUse()
        .ifPresent(
            message -> {
              System.err.println("flexserve: " + message);
              System.exit(1);
            });
    ApplicationContext context =
        Micronaut.build(new String[0]).mainClass(FlexServe.class).banner(false).start();
    exitWhenNothingLoads(context, modelDir);
    // SIGTERM (Kubernetes, docker stop): drain instead of dying mid-request. The JVM's default
    // handler would run
    // the shutdown hooks at once and exit 143 with requests in flight.
    Signal.handle(
        new Signal("TERM"),
        signal -> new Thread(() -> shutDownGracefully(context), "flexserve-shutdown").start());
  }

  /**
   * Whether the configured port is taken, checked by binding it once before the server starts: the
   * framework would report it as a 35-line stack trace.
   */
  public static java.util.Optional<String> portInUse() {
    String configured =
        System.getProperty(
            "micronaut.server.port", System.getenv().getOrDefault("MICRONAUT_SERVER_PORT", "8080"));
    int port;
    try {
      port = Integer.parseInt(configured.strip());
    } catch (NumberFormatException e) {
      return java.util.Optional.of(
          "the port must be a number, got '" + configured + "' (--port or MICRONAUT_SERVER_PORT)");
    }
    if (port <= 0) {
      return java.util.Optional.empty(); // -1: a random free port
    }
    try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new java.net.InetSocketAddress(port));
      return java.util.Optional.empty();
    } catch (java.io.IOException e) {
      return java.util.Optional.of(
          "port "
              + port
              + " is not available ("
              + e.getMessage()
              + "); stop what uses it or choose another with --port or MICRONAUT_SERVER_PORT");
    }
  }

  /**
   * With a named repository whose every model failed to load, the process has nothing to serve: log
   * one line and exit 1, instead of staying live and never ready. (A partly broken repository
   * serves the rest.)
   */
  private static void exitWhenNothingLoads(ApplicationContext context, String modelDir) {
    if (modelDir.isBlank()) {
      return;
    }
    ModelCatalog catalog = context.getBean(ModelCatalog.class);
    Thread watch =
        new Thread(
            () -> {
              try {
                while (!catalog.loadingFinished()) {
                  Thread.sleep(200);
                }
              } catch (InterruptedException e) {
                return;
              }
              if (catalog.readyModels().isEmpty() && !catalog.names().isEmpty()) {
                LoggerFactory.getLogger(FlexServe.class)
                    .error(
                        "no model in {} loaded (each failure is logged above); exiting", modelDir);
                context.close();
                System.exit(1);
              }
            },
            "flexserve-load-watch");
    watch.setDaemon(true);
    watch.start();
  }

  /**
   * See {@link GracefulShutdown}; exits 0 when everything drained, 1 when some requests were
   * answered 503.
   */
  static void shutDownGracefully(ApplicationContext context) {
    int grace = context.getBean(FlexserveConfig.class).shutdownGraceSeconds();
    System.exit(GracefulShutdown.run(context, Duration.ofSeconds(grace)));
  }
}
