package io.flexserve.server;

import io.flexserve.server.catalog.ModelCatalog;
import io.flexserve.server.config.FlexserveConfig;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.Micronaut;
import java.time.Duration;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import sun.misc.Signal;

/**
 * Entry point of {@code flexserve.jar}: it only serves. No arguments (or only {@code --port N})
 * start the server; {@code -V} prints the version. The offline commands ({@code convert}, {@code
 * bench …}) live in the toolchain's own jar (models/toolchain), which the server jar does not
 * carry.
 */
public final class FlexServe {
  private FlexServe() {}

  public static void main(String[] args) {
    // The product makes no outbound connections: keep DJL from checking for updates / reporting
    // usage.
    System.setProperty("ai.djl.offline", "true");
    if (args.length > 0 && (args[0].equals("-V") || args[0].equals("--version"))) {
      System.out.println(ServeCommand.VERSION);
      return;
    }
    String[] rest = args.length > 0 && args[0].equals("serve") ? tail(args) : args;
    notServing(rest)
        .ifPresent(
            message -> {
              System.err.println("flexserve: " + message);
              System.exit(2);
            });
    startServer(rest);
  }

  /**
   * Why these arguments do not start the server, if they do not: a command that is not {@code
   * serve} belongs to the toolchain's jar.
   */
  public static java.util.Optional<String> notServing(String[] args) {
    if (args.length == 0 || args[0].startsWith("-")) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        "'"
            + args[0]
            + "' is not a server command; the server jar only serves. Offline commands (convert,"
            + " eval, bench ...) are in the toolchain: ./flexserve "
            + args[0]
            + " ..., or java -jar models/toolchain/target/flexserve-toolchain.jar "
            + args[0]);
  }

  private static String[] tail(String[] args) {
    return java.util.Arrays.copyOfRange(args, 1, args.length);
  }

  /** Starts the HTTP server; {@code --port N} overrides {@code MICRONAUT_SERVER_PORT}. */
  public static void startServer(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--port") && i + 1 < args.length) {
        System.setProperty("micronaut.server.port", args[++i]);
      } else if (args[i].startsWith("--port=")) {
        System.setProperty("micronaut.server.port", args[i].substring("--port=".length()));
      } else if (args[i].equals("--help") || args[i].equals("-h")) {
        new CommandLine(new ServeCommand()).usage(System.out);
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
