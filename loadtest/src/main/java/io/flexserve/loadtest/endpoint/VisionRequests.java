package io.flexserve.loadtest.endpoint;

import io.flexserve.loadtest.http.OutgoingRequest;
import io.flexserve.loadtest.workload.PlannedRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds {@code POST /v1/vision/features?model=…&outputs=…} requests: the image as the raw body
 * ({@code image/png}), the routing headers as for embeddings. Request {@code i} sends image {@code
 * i mod count}. The images are drawn on first use, so runs without vision requests pay nothing for
 * them.
 */
public final class VisionRequests {
  private final String model;
  private final String outputs;
  private final List<SyntheticImages.Size> sizes;
  private final int count;
  private volatile List<byte[]> images;

  /**
   * @param model the {@code model} query parameter; not blank
   * @param outputs {@code summary}, {@code features} or {@code summary,features}
   * @param sizes image sizes, cycled through
   * @param count distinct images; repeats after that may be answered from the server's result cache
   */
  public VisionRequests(String model, String outputs, List<SyntheticImages.Size> sizes, int count) {
    if (model.isBlank() || sizes.isEmpty() || count < 1) {
      throw new IllegalArgumentException(
          "vision requests need a model name, an image size and at least one image");
    }
    if (!outputs.equals("summary")
        && !outputs.equals("features")
        && !outputs.equals("summary,features")) {
      throw new IllegalArgumentException(
          "outputs must be summary, features or summary,features, got '" + outputs + "'");
    }
    this.model = model;
    this.outputs = outputs;
    this.sizes = List.copyOf(sizes);
    this.count = count;
  }

  /** The default set for {@code model}: 32 images alternating 224x224 and 640x480, summary only. */
  public static VisionRequests defaults(String model) {
    return new VisionRequests(
        model,
        "summary",
        List.of(new SyntheticImages.Size(224, 224), new SyntheticImages.Size(640, 480)),
        32);
  }

  public String model() {
    return model;
  }

  /** The images, drawn on first call (seed 1). */
  public List<byte[]> images() {
    List<byte[]> local = images;
    if (local == null) {
      synchronized (this) {
        if (images == null) {
          images = List.copyOf(SyntheticImages.png(sizes, count, 1));
        }
        local = images;
      }
    }
    return local;
  }

  OutgoingRequest build(
      Endpoint endpoint, PlannedRequest planned, Duration timeout, boolean strict) {
    String query =
        "?model="
            + URLEncoder.encode(model, StandardCharsets.UTF_8)
            + "&outputs="
            + URLEncoder.encode(outputs, StandardCharsets.UTF_8);
    List<byte[]> all = images();
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "image/png");
    headers.put("Accept", "application/json");
    planned
        .targetMillis()
        .ifPresent(
            t ->
                headers.put(EmbeddingsRequests.LATENCY_TARGET, EmbeddingsRequests.millisHeader(t)));
    if (strict) {
      headers.put(EmbeddingsRequests.DEADLINE_POLICY, "strict");
    }
    // the image arrays are shared between requests, not copied
    return OutgoingRequest.post(
        endpoint.path(planned.kind().path() + query),
        headers,
        all.get(planned.index() % all.size()),
        timeout);
  }
}
