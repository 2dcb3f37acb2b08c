package io.flexserve.toolchain;

import io.flexserve.server.catalog.ModelCatalog;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * The real HTTP server started inside a benchmark's process on a free loopback port, ready (every
 * model loaded and profiled) when {@link #start} returns. Benchmarks then talk to it over HTTP like
 * any client.
 */
record LoopbackServer(ApplicationContext context, URI base, ModelCatalog catalog)
    implements AutoCloseable {
  /**
   * Starts the server with {@code properties} ({@code flexserve.*} settings) on a free port and
   * waits until ready.
   */
  static LoopbackServer start(Map<String, Object> properties) throws InterruptedException {
    Map<String, Object> all = new HashMap<>(properties);
    all.put("micronaut.server.port", -1);
    ApplicationContext ctx = ApplicationContext.run(all);
    try {
      EmbeddedServer server = ctx.getBean(EmbeddedServer.class).start();
      ModelCatalog catalog = ctx.getBean(ModelCatalog.class);
      while (!catalog.serverReady()) {
        Thread.sleep(100);
      }
      return new LoopbackServer(ctx, server.getURI(), catalog);
    } catch (InterruptedException | RuntimeException e) {
      ctx.close();
      throw e;
    }
  }

  @Override
  public void close() {
    context.close();
  }
}
