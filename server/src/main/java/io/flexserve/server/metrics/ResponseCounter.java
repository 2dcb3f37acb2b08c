package io.flexserve.server.metrics;

import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.web.router.RouteAttributes;
import io.micronaut.web.router.UriRouteMatch;

/**
 * Counts every HTTP response, errors included, by route template and status: {@code
 * flexserve_http_responses_total}. The route template (e.g. {@code /v2/models/{model}}), not the
 * raw path, keeps the label set bounded; requests that matched no route count as {@code unmatched}.
 * First in the filter chain: a response that a later filter returns without reaching a controller
 * (e.g. 401 from the API key check) only passes the response filters of the filters before it.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public final class ResponseCounter implements Ordered {
  private final ServerMetrics metrics;

  public ResponseCounter(ServerMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }

  @ResponseFilter
  public void count(HttpRequest<?> request, MutableHttpResponse<?> response) {
    String route =
        RouteAttributes.getRouteMatch(request)
            .filter(UriRouteMatch.class::isInstance)
            .map(m -> ((UriRouteMatch<?, ?>) m).getRouteInfo().getUriMatchTemplate().toString())
            .orElse("unmatched");
    metrics.httpResponses.labels(route, Integer.toString(response.code())).inc();
  }
}
