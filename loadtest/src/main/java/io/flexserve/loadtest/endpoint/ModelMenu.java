package io.flexserve.loadtest.endpoint;

import io.flexserve.loadtest.json.JsonParser;
import io.flexserve.loadtest.json.JsonValue;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The quality of each sub-network of a model, read from {@code GET /v1/models}: each model's {@code
 * subnets[]} carry {@code name} and {@code quality} (mean cosine similarity to the full model's
 * embeddings; 1.0 is the full model). The report uses it to give the mean quality of what was
 * served.
 */
public final class ModelMenu {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private ModelMenu() {}

  /**
   * Fetches the sub-network qualities of {@code model}.
   *
   * @return quality by sub-network name; empty when the server has no such endpoint, does not list
   *     the model, or answers something unreadable, since quality is optional in a report
   * @throws InterruptedException if interrupted while waiting
   */
  public static Map<String, Double> qualities(HttpClient client, Endpoint endpoint, String model)
      throws InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(endpoint.models()).timeout(TIMEOUT).GET().build();
    try {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? parse(response.body(), model) : Map.of();
    } catch (IOException e) {
      return Map.of();
    }
  }

  /**
   * Quality by sub-network of {@code model} in a {@code /v1/models} body; empty when absent or
   * malformed.
   */
  static Map<String, Double> parse(String body, String model) {
    Map<String, Double> out = new TreeMap<>();
    try {
      for (JsonValue m : ((JsonValue.Obj) JsonParser.parse(body)).array("data").elements()) {
        JsonValue.Obj entry = (JsonValue.Obj) m;
        if (!entry.string("id").equals(model) || entry.find("subnets").isEmpty()) {
          continue;
        }
        for (JsonValue s : entry.array("subnets").elements()) {
          JsonValue.Obj subnet = (JsonValue.Obj) s;
          double quality = subnet.number("quality");
          if (Double.isFinite(quality)) {
            out.put(subnet.string("name"), quality);
          }
        }
      }
    } catch (IllegalArgumentException | ClassCastException malformed) {
      return Map.of();
    }
    return out;
  }
}
