package io.flexserve.server.errors;

import io.micronaut.serde.annotation.Serdeable;

/** The one error body: {@code {"error":{"message","type","code"}}}. */
@Serdeable
public record ErrorBody(Detail error) {
  @Serdeable
  public record Detail(String message, String type, String code) {}

  public static ErrorBody of(String message, String type, String code) {
    return new ErrorBody(new Detail(message, type, code));
  }
}
