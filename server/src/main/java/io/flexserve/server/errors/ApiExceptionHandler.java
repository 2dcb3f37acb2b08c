package io.flexserve.server.errors;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;

/**
 * Maps every {@link ApiException} to its status (and {@code Retry-After} where retrying can help,
 * {@code WWW-Authenticate: Bearer} on 401). One handler for the sealed family: the status is a
 * method of each failure kind, so there is no table to keep in sync.
 */
@Produces
@Singleton
@Requires(classes = {ApiException.class, ExceptionHandler.class})
public final class ApiExceptionHandler implements ExceptionHandler<ApiException, HttpResponse<?>> {
  private final ErrorResponseProcessor<?> processor;

  public ApiExceptionHandler(ErrorResponseProcessor<?> processor) {
    this.processor = processor;
  }

  @Override
  public HttpResponse<?> handle(HttpRequest request, ApiException e) {
    MutableHttpResponse<?> response = HttpResponse.status(e.status());
    e.retryAfterSeconds().ifPresent(s -> response.header("Retry-After", Long.toString(s)));
    if (e instanceof ApiException.Unauthorized) {
      response.header("WWW-Authenticate", "Bearer");
    }
    return processor.processResponse(
        ErrorContext.builder(request).cause(e).errorMessage(e.getMessage()).build(), response);
  }
}
