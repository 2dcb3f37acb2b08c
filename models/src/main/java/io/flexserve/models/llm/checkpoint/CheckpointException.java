package io.flexserve.models.llm.checkpoint;

import java.io.IOException;

/**
 * A checkpoint could not be read: a file is missing, malformed, truncated, or describes a model we
 * do not support. The message always starts with the file at fault and names the tensor or JSON
 * field, because the reader is usually a person deciding which download to redo or which config
 * field to fix.
 */
public class CheckpointException extends IOException {
  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
