package io.flexserve.server.metrics;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.StringWriter;

/** {@code GET /metrics}: the Prometheus text exposition format, version 0.0.4. */
@Controller
public final class MetricsController {
  private final ServerMetrics metrics;

  public MetricsController(ServerMetrics metrics) {
    this.metrics = metrics;
  }

  @Get("/metrics")
  @ExecuteOn(TaskExecutors.BLOCKING)
  public HttpResponse<String> scrape() throws IOException {
    StringWriter out = new StringWriter();
    TextFormat.write004(out, metrics.registry().metricFamilySamples());
    return HttpResponse.ok(out.toString()).contentType(TextFormat.CONTENT_TYPE_004);
  }
}
