package io.flexserve.server.errors;

import io.micronaut.http.HttpStatus;
import java.util.OptionalLong;

/**
 * A request the server will not or cannot serve, with what the client should be told. A closed set:
 * each subclass is one kind of failure and knows its status, so the one handler needs no mapping
 * table.
 */
public abstract sealed class ApiException extends RuntimeException
    permits ApiException.BadRequest,
        ApiException.InvalidValue,
        ApiException.Unauthorized,
        ApiException.NotFound,
        ApiException.TooLarge,
        ApiException.Overloaded,
        ApiException.NotReady,
        ApiException.InferenceFailed,
        ApiException.TimedOut,
        ApiException.ClientGone {

  private final String code;

  ApiException(String code, String message) {
    super(message, null, false, false); // no stack trace: these are answers, not bugs
    this.code = code;
  }

  public abstract HttpStatus status();

  /** OpenAI-style error type. */
  public abstract String type();

  /** Machine-readable reason, e.g. {@code model_not_found}. */
  public String code() {
    return code;
  }

  /** Seconds for a {@code Retry-After} header, when retrying later can help. */
  public OptionalLong retryAfterSeconds() {
    return OptionalLong.empty();
  }

  /**
   * 400: not valid JSON, a required field missing, a field of the wrong JSON type, a malformed
   * header.
   */
  public static final class BadRequest extends ApiException {
    public BadRequest(String code, String message) {
      super(code, message);
    }

    @Override
    public HttpStatus status() {
      return HttpStatus.BAD_REQUEST;
    }

    @Override
    public String type() {
      return "invalid_request_error";
    }
  }

  /**
   * 422: well-formed, but a value is not acceptable (empty input, negative target, unknown
   * sub-network).
   */
  public static final class InvalidValue extends ApiException {
    public InvalidValue(String code, String message) {
      super(code, message);
    }

    @Override
    public HttpStatus status() {
      return HttpStatus.UNPROCESSABLE_ENTITY;
    }

    @Override
    public String type() {
      return "invalid_request_error";
    }
  }

  /** 401: authentication is on and the request has no valid {@code Authorization: Bearer} key. */
  public static final class Unauthorized extends ApiException {
    public Unauthorized(String code, String message) {
      super(code, message);
    }

    @Override
    public HttpStatus status() {
      return HttpStatus.UNAUTHORIZED;
    }

    @Override
    public String type() {
      return "authentication_error";
    }
  }

  /** 404: no such model. */
  public static final class NotFound extends ApiException {
    public NotFound(String code, String message) {
      super(code, message);
    }

    @Override
    public HttpStatus status() {
      return HttpStatus.NOT_FOUND;
    }

    @Override
    public String type() {
      return "not_found_error";
    }
  }

  /** 413: more than the configured limits (inputs per request, body bytes). */
  public static final class TooLarge extends ApiException {
    public TooLarge(String code, String message) {
      super(code, message);
    }

    @Override
    public HttpStatus status() {
      return HttpStatus.REQUEST_ENTITY_TOO_LARGE;
    }

    @Override
    public String type() {
      return "invalid_request_error";
    }
  }

  /**
   * 429: the queue is full, a strict latency target cannot be met now, or an API key is over its
   * rate limit.
   */
  public static final class Overloaded extends ApiException {
    private final long retryAfterSeconds;

    public Overloaded(String code, String message, long retryAfterSeconds) {
      super(code, message);
      this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    @Override
    public HttpStatus status() {
      return HttpStatus.TOO_MANY_REQUESTS;
    }

    @Override
    public String type() {
      return "rate_limit_error";
    }

    @Override
    public OptionalLong retryAfterSeconds() {
      return OptionalLong.of(retryAfterSeconds);
    }
  }

  /** 503: the model is still loading (or failed to load). */
  public static final class NotReady extends ApiException {
    public NotReady(String code, String message) {
      super(code, message);
    }

    @Override
    public HttpStatus status() {
      return HttpStatus.SERVICE_UNAVAILABLE;
    }

    @Override
    public String type() {
      return "service_unavailable";
    }

    @Override
    public OptionalLong retryAfterSeconds() {
      return OptionalLong.of(5);
    }
  }

  /**
   * 504: the request's timeout ({@code X-Request-Timeout-Ms}, at most {@code
   * flexserve.request-timeout-seconds}) passed while it waited or ran; a run in flight was
   * terminated. Retrying at once will likely time out again.
   */
  public static final class TimedOut extends ApiException {
    public TimedOut(String message) {
      super("request_timeout", message);
    }

    @Override
    public HttpStatus status() {
      return HttpStatus.GATEWAY_TIMEOUT;
    }

    @Override
    public String type() {
      return "timeout_error";
    }
  }

  /** 500: ONNX Runtime failed on a request that passed validation. */
  public static final class InferenceFailed extends ApiException {
    public InferenceFailed(String message) {
      super("inference_failed", message);
    }

    @Override
    public HttpStatus status() {
      return HttpStatus.INTERNAL_SERVER_ERROR;
    }

    @Override
    public String type() {
      return "server_error";
    }
  }

  /**
   * The client closed its connection before the answer (its work was cancelled). Never delivered;
   * it exists so the request ends as an answer, not as a framework error. 408 is what {@code
   * flexserve_http_responses_total} records (nginx's 499 is not a registered status).
   */
  public static final class ClientGone extends ApiException {
    public ClientGone() {
      super("client_disconnected", "the client closed the connection before the answer");
    }

    @Override
    public HttpStatus status() {
      return HttpStatus.REQUEST_TIMEOUT;
    }

    @Override
    public String type() {
      return "invalid_request_error";
    }
  }
}
