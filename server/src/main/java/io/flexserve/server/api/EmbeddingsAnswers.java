package io.flexserve.server.api;

import io.flexserve.server.encoder.EmbeddingService;
import io.flexserve.server.encoder.EmbeddingsRequest;
import io.flexserve.server.errors.ApiException;
import io.flexserve.server.errors.ErrorBody;
import io.flexserve.server.errors.RequestTags;
import io.flexserve.server.errors.ServingExceptionHandler;
import io.flexserve.server.metrics.ServerMetrics;
import io.flexserve.server.serving.ServingException;
import io.micronaut.json.JsonMapper;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answers {@link EmbeddingsFastPath} writes, whole: the same bodies, statuses and headers as
 * the controller's through Micronaut, and the same response counters.
 */
final class EmbeddingsAnswers {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddingsAnswers.class);
  private static final String PATH = EmbeddingsFastPath.PATH;

  private final ServerMetrics metrics;
  private final JsonMapper json;

  EmbeddingsAnswers(ServerMetrics metrics, JsonMapper json) {
    this.metrics = metrics;
    this.json = json;
  }

  /** 200 with the embeddings, the routing headers and the request id; counted. */
  FullHttpResponse ok(String requestId, EmbeddingsRequest request, EmbeddingService.Served served) {
    EmbeddingsResponse body =
        EmbeddingsResponse.of(
            served.model(), served.result().embeddings(), request.base64(), served.promptTokens());
    FullHttpResponse response = json(HttpResponseStatus.OK, requestId, body);
    served.writeHeaders(response.headers()::add);
    metrics.requests.labels(served.model(), served.result().subnet(), PATH, "200").inc();
    count("200");
    return response;
  }

  /**
   * The one JSON error body for {@code failure}, as {@code JsonErrorResponseProcessor} writes it.
   */
  FullHttpResponse error(String requestId, Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    ApiException e;
    if (cause instanceof ApiException api) {
      e = api;
    } else if (cause instanceof ServingException serving) {
      e = ServingExceptionHandler.toApi(serving);
    } else if (cause instanceof CancellationException) {
      e = new ApiException.ClientGone();
    } else {
      e = new ApiException.InferenceFailed("embeddings failed: " + cause);
    }
    int status = e.status().getCode();
    ErrorBody body = ErrorBody.of(e.getMessage(), e.type(), e.code(), requestId);
    if (status >= 500 && status != 503) {
      LOG.error(
          "request {} POST {} failed with {}: {}",
          requestId,
          PATH,
          status,
          e.getMessage(),
          cause instanceof ApiException ? null : cause);
    }
    FullHttpResponse response = json(HttpResponseStatus.valueOf(status), requestId, body);
    e.retryAfterSeconds()
        .ifPresent(s -> response.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(s)));
    if (e instanceof ApiException.Unauthorized) {
      response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
    }
    count(Integer.toString(status));
    return response;
  }

  private void count(String status) {
    metrics.httpResponses.labels(PATH, status).inc();
    metrics.fastPathResponses.labels(status).inc();
  }

  private FullHttpResponse json(HttpResponseStatus status, String requestId, Object body) {
    byte[] bytes;
    try {
      bytes = json.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
    response
        .headers()
        .set(HttpHeaderNames.DATE, HttpDate.now())
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
        .set(RequestTags.HEADER, requestId);
    return response;
  }
}
