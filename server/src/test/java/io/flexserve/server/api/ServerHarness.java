package io.flexserve.server.api;

import io.flexserve.server.catalog.ModelCatalog;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Raw HTTP against the test server (java.net.http, so bodies can be malformed on purpose). */
public final class ServerHarness {
  public static final String MODEL = "all-minilm-l6-v2";
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;

  public ServerHarness(EmbeddedServer server, ModelCatalog catalog) throws InterruptedException {
    this.base = server.getURI();
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (!catalog.serverReady()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("model did not become ready in 3 minutes");
      }
      Thread.sleep(100);
    }
  }

  public HttpResponse<String> post(String path, byte[] body, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .header("Content-Type", "application/json");
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    return post(path, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), headers);
  }

  public HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The value of one exact series of {@code GET /metrics}, e.g. {@code name{label="v",}}; 0 while
   * it is not exported.
   */
  public double metric(String series) throws Exception {
    for (String line : get("/metrics").body().split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return 0;
  }
}
