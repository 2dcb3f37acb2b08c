package io.flexserve.server.errors;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every error response, ours and the framework's, as {@link ErrorBody} JSON (never HTML, never a stack
 * trace). Framework errors get a type and code from their status. Every body carries the request id; a 5xx is also
 * logged with it and its cause, so the id a client quotes leads to the stack trace.
 */
@Singleton
@Replaces(ErrorResponseProcessor.class)
public final class JsonErrorResponseProcessor implements ErrorResponseProcessor<ErrorBody> {
  private static final Logger LOG = LoggerFactory.getLogger(JsonErrorResponseProcessor.class);

  @Override
  public MutableHttpResponse<ErrorBody> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
    HttpStatus status = response.status();
    String requestId = RequestTags.id(context.getRequest()).orElse(null);
    Throwable cause = context.getRootCause().orElse(null);
    ErrorBody body;
    if (cause instanceof ApiException e) {
      body = ErrorBody.of(e.getMessage(), e.type(), e.code(), requestId);
    } else {
      String message = context.getErrors().isEmpty() ? status.getReason() : context.getErrors().get(0).getMessage();
      body = ErrorBody.of(frameworkMessage(status, message), typeOf(status), codeOf(status), requestId);
    }
    if (status.getCode() >= 500 && status != HttpStatus.SERVICE_UNAVAILABLE) {
      LOG.error("request {} {} {} failed with {}: {}", requestId, context.getRequest().getMethodName(),
          context.getRequest().getPath(), status.getCode(), body.error().message(),
          cause instanceof ApiException ? null : cause);
    }
    return response.body(body).contentType(MediaType.APPLICATION_JSON_TYPE);
  }

  private static String frameworkMessage(HttpStatus status, String message) {
    if (status == HttpStatus.REQUEST_ENTITY_TOO_LARGE) {
      return "request body too large: " + message;
    }
    return message == null || message.isBlank() ? status.getReason() : message;
  }

  private static String typeOf(HttpStatus status) {
    int code = status.getCode();
    if (code == 429) {
      return "rate_limit_error";
    }
    if (code == 404) {
      return "not_found_error";
    }
    if (code == 401) {
      return "authentication_error";
    }
    return code >= 500 ? "server_error" : "invalid_request_error";
  }

  private static String codeOf(HttpStatus status) {
    return switch (status) {
      case BAD_REQUEST -> "invalid_json";
      case NOT_FOUND -> "route_not_found";
      case METHOD_NOT_ALLOWED -> "method_not_allowed";
      case UNSUPPORTED_MEDIA_TYPE -> "unsupported_media_type";
      case REQUEST_ENTITY_TOO_LARGE -> "body_too_large";
      case NOT_ACCEPTABLE -> "not_acceptable";
      case UNAUTHORIZED -> "invalid_api_key";
      default -> status.name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
