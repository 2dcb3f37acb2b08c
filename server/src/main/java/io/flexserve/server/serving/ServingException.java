package io.flexserve.server.serving;

import java.util.OptionalLong;

/**
 * Why the engines (the catalog and the schedulers) will not or cannot serve a request, in their own
 * terms: no HTTP status here. One place, {@code errors.ServingExceptionHandler}, turns each kind
 * into a status and the JSON error. Each has a stable machine-readable {@link #code} (e.g. {@code
 * queue_full}) that clients see.
 */
public abstract sealed class ServingException extends RuntimeException
    permits ServingException.ModelNotFound,
        ServingException.NotReady,
        ServingException.WrongModelKind,
        ServingException.ModelNotNamed,
        ServingException.InvalidChoice,
        ServingException.Overloaded,
        ServingException.TimedOut,
        ServingException.InferenceFailed {

  private final String code;

  ServingException(String code, String message) {
    super(message, null, false, false); // answers, not bugs: no stack trace
    this.code = code;
  }

  /** Machine-readable reason, e.g. {@code model_not_found}. */
  public String code() {
    return code;
  }

  /** No model by that name. */
  public static final class ModelNotFound extends ServingException {
    public ModelNotFound(String message) {
      super("model_not_found", message);
    }
  }

  /** The model (or the server) cannot serve now: loading, failed to load, or shutting down. */
  public static final class NotReady extends ServingException {
    public NotReady(String code, String message) {
      super(code, message);
    }
  }

  /**
   * The model exists but is of another kind than the request needs (an encoder asked to generate).
   */
  public static final class WrongModelKind extends ServingException {
    public WrongModelKind(String message) {
      super("wrong_model_type", message);
    }
  }

  /** The request names no model while several are served. */
  public static final class ModelNotNamed extends ServingException {
    public ModelNotNamed(String message) {
      super("missing_field", message);
    }
  }

  /** A choice the model does not offer: an unknown sub-network, an EoRA rank it lacks. */
  public static final class InvalidChoice extends ServingException {
    public InvalidChoice(String code, String message) {
      super(code, message);
    }
  }

  /**
   * Refused to protect the latency of what is admitted: queue full, overloaded, or a target no
   * variant meets.
   */
  public static final class Overloaded extends ServingException {
    private final long retryAfterSeconds;

    public Overloaded(String code, String message, long retryAfterSeconds) {
      super(code, message);
      this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    /** When retrying can help. */
    public OptionalLong retryAfterSeconds() {
      return OptionalLong.of(retryAfterSeconds);
    }
  }

  /** The request's timeout passed before its answer. */
  public static final class TimedOut extends ServingException {
    public TimedOut(String message) {
      super("request_timeout", message);
    }
  }

  /** ONNX Runtime failed on a valid request. */
  public static final class InferenceFailed extends ServingException {
    public InferenceFailed(String message) {
      super("inference_failed", message);
    }
  }
}
