package io.flexserve.server.errors;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

/**
 * The one error body: {@code {"error":{"message","type","code","request_id"}}}; {@code request_id}
 * is the response's {@code X-Request-Id}, for quoting a failure (absent only for errors raised
 * before any filter ran).
 */
@Serdeable
public record ErrorBody(Detail error) {
  @Serdeable
  public record Detail(String message, String type, String code, @Nullable String request_id) {}

  public static ErrorBody of(String message, String type, String code, @Nullable String requestId) {
    return new ErrorBody(new Detail(message, type, code, requestId));
  }
}
