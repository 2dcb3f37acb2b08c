package io.flexserve.server.errors;

import io.flexserve.server.serving.ServingException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/**
 * The one place where the engines' {@link ServingException}s become HTTP: each kind gets its status
 * (and {@code Retry-After} when retrying can help), then the same JSON error as every other
 * failure.
 */
@Singleton
@Produces
public final class ServingExceptionHandler
    implements ExceptionHandler<ServingException, HttpResponse<?>> {
  private final ApiExceptionHandler api;

  public ServingExceptionHandler(ApiExceptionHandler api) {
    this.api = api;
  }

  @Override
  public HttpResponse<?> handle(HttpRequest request, ServingException e) {
    return api.handle(request, toApi(e));
  }

  /** The HTTP answer to {@code e}: its status by kind, its code and message unchanged. */
  public static ApiException toApi(ServingException e) {
    if (e instanceof ServingException.ModelNotFound) {
      return new ApiException.NotFound(e.code(), e.getMessage());
    }
    if (e instanceof ServingException.NotReady) {
      return new ApiException.NotReady(e.code(), e.getMessage());
    }
    if (e instanceof ServingException.WrongModelKind
        || e instanceof ServingException.ModelNotNamed) {
      return new ApiException.BadRequest(e.code(), e.getMessage());
    }
    if (e instanceof ServingException.InvalidChoice) {
      return new ApiException.InvalidValue(e.code(), e.getMessage());
    }
    if (e instanceof ServingException.Overloaded o) {
      return new ApiException.Overloaded(e.code(), e.getMessage(), o.retryAfterSeconds().orElse(1));
    }
    if (e instanceof ServingException.TimedOut) {
      return new ApiException.TimedOut(e.getMessage());
    }
    return new ApiException.InferenceFailed(e.getMessage());
  }
}
