package io.flexserve.loadtest.endpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
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
    try {
      JsonNode root = EmbeddingsRequests.JSON.readValue(body, JsonNode.class);
      Map<String, Double> out = new TreeMap<>();
      for (JsonNode entry : member(root, "data", JsonNodeType.ARRAY)) {
        if (!member(entry, "id", JsonNodeType.STRING).textValue().equals(model)
            || !entry.has("subnets")) {
          continue;
        }
        for (JsonNode subnet : member(entry, "subnets", JsonNodeType.ARRAY)) {
          if (subnet.path("quality").isNull()) {
            continue; // not measured
          }
          double quality = member(subnet, "quality", JsonNodeType.NUMBER).doubleValue();
          if (Double.isFinite(quality)) {
            out.put(member(subnet, "name", JsonNodeType.STRING).textValue(), quality);
          }
        }
      }
      return out;
    } catch (JsonProcessingException | IllegalArgumentException malformed) {
      return Map.of();
    }
  }

  // The member when it has the type; otherwise fails, and the whole menu is ignored.
  private static JsonNode member(JsonNode object, String name, JsonNodeType type) {
    JsonNode v = object.get(name);
    if (v == null || v.getNodeType() != type) {
      throw new IllegalArgumentException("malformed member '" + name + "'");
    }
    return v;
  }
}
