package io.flexserve.server.errors;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every error response, ours and the framework's, as {@link ErrorBody} JSON (never HTML,
 * never a stack trace); on the Open Inference Protocol's {@code /v2} routes as its {@code {"error":
 * "<message>"}}, with the code in {@code X-Error-Code}. Framework errors get a type and code from
 * their status. Every body carries the request id; a 5xx is also logged with it and its cause, so
 * the id a client quotes leads to the stack trace.
 */
@Singleton
@Replaces(ErrorResponseProcessor.class)
@SuppressWarnings(
    "unchecked") // the body type differs by route: ErrorBody, or the protocol's error map
public final class JsonErrorResponseProcessor implements ErrorResponseProcessor<Object> {
  private static final Logger LOG = LoggerFactory.getLogger(JsonErrorResponseProcessor.class);

  @Override
  public MutableHttpResponse<Object> processResponse(
      ErrorContext context, MutableHttpResponse<?> response) {
    HttpStatus status = response.status();
    Throwable cause = context.getRootCause().orElse(null);
    Throwable malformed = decoderFailure(context.getRequest()).orElse(null);
    // A request the HTTP decoder refused never reached the filters: it gets its id here.
    String requestId =
        RequestTags.id(context.getRequest())
            .orElseGet(malformed == null ? () -> null : RequestTags::newId);
    ErrorBody body;
    if (malformed != null) {
      status = malformedStatus(malformed);
      response.status(status).header(RequestTags.HEADER, requestId);
      body =
          ErrorBody.of(
              malformedMessage(malformed),
              "invalid_request_error",
              malformedCode(malformed),
              requestId);
    } else if (cause instanceof ApiException e) {
      body = ErrorBody.of(e.getMessage(), e.type(), e.code(), requestId);
    } else {
      String message =
          context.getErrors().isEmpty()
              ? status.getReason()
              : context.getErrors().get(0).getMessage();
      body =
          ErrorBody.of(
              frameworkMessage(status, message), typeOf(status), codeOf(status), requestId);
    }
    if (status.getCode() >= 500 && status != HttpStatus.SERVICE_UNAVAILABLE) {
      LOG.error(
          "request {} {} {} failed with {}: {}",
          requestId,
          context.getRequest().getMethodName(),
          context.getRequest().getPath(),
          status.getCode(),
          body.error().message(),
          cause instanceof ApiException ? null : cause);
    }
    if (context.getRequest().getPath().startsWith("/v2")) {
      // the Open Inference Protocol's error object; the stable code and request id travel as
      // headers
      response.header("X-Error-Code", body.error().code());
      if (requestId != null) {
        response.header(RequestTags.HEADER, requestId);
      }
      return ((MutableHttpResponse<Object>) response)
          .<Object>body(java.util.Map.of("error", body.error().message()))
          .contentType(MediaType.APPLICATION_JSON_TYPE);
    }
    return ((MutableHttpResponse<Object>) response)
        .<Object>body(body)
        .contentType(MediaType.APPLICATION_JSON_TYPE);
  }

  /** Why Netty's HTTP decoder refused the request's line or headers, if it did. */
  private static java.util.Optional<Throwable> decoderFailure(
      io.micronaut.http.HttpRequest<?> request) {
    if (request instanceof NettyHttpRequest<?> netty
        && netty.getNativeRequest().decoderResult().isFailure()) {
      return java.util.Optional.of(netty.getNativeRequest().decoderResult().cause());
    }
    return java.util.Optional.empty();
  }

  private static HttpStatus malformedStatus(Throwable failure) {
    if (failure instanceof TooLongHttpHeaderException) {
      return HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
    }
    return failure instanceof TooLongHttpLineException
        ? HttpStatus.REQUEST_URI_TOO_LONG
        : HttpStatus.BAD_REQUEST;
  }

  private static String malformedCode(Throwable failure) {
    if (failure instanceof TooLongHttpHeaderException) {
      return "headers_too_large";
    }
    return failure instanceof TooLongHttpLineException ? "uri_too_long" : "malformed_request";
  }

  private static String malformedMessage(Throwable failure) {
    if (failure instanceof TooLongHttpHeaderException) {
      return "the request headers are too large (micronaut.server.netty.max-header-size, 8192 bytes by default)";
    }
    if (failure instanceof TooLongHttpLineException) {
      return "the request line (method, URL and version) is too long "
          + "(micronaut.server.netty.max-initial-line-length, 4096 bytes by default)";
    }
    return "malformed HTTP request: the request line or a header could not be parsed";
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
