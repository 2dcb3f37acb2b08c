package io.flexserve.server.metrics;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.web.router.RouteAttributes;
import io.micronaut.web.router.UriRouteMatch;

/**
 * Counts every HTTP response, errors included, by route template and status: {@code flexserve_http_responses_total}.
 * The route template (e.g. {@code /v2/models/{model}}), not the raw path, keeps the label set bounded; requests that
 * matched no route count as {@code unmatched}.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public final class ResponseCounter {
  private final ServerMetrics metrics;

  public ResponseCounter(ServerMetrics metrics) {
    this.metrics = metrics;
  }

  @ResponseFilter
  public void count(HttpRequest<?> request, MutableHttpResponse<?> response) {
    String route = RouteAttributes.getRouteMatch(request)
        .filter(UriRouteMatch.class::isInstance)
        .map(m -> ((UriRouteMatch<?, ?>) m).getRouteInfo().getUriMatchTemplate().toString())
        .orElse("unmatched");
    metrics.httpResponses.labels(route, Integer.toString(response.code())).inc();
  }
}
