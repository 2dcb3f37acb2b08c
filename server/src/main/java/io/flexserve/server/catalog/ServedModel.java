package io.flexserve.server.catalog;

import java.time.Duration;

/**
 * A model that is ready to serve. Encoders answer {@code /v1/embeddings}; decoders answer the
 * completion endpoints; vision backbones answer {@code /v1/vision/features} and KServe inference.
 */
public sealed interface ServedModel permits ServedEncoder, ServedDecoder, ServedVision {
  /** As in URLs and the {@code model} field. */
  String name();

  /** Names of the sub-networks, most accurate first. */
  java.util.List<String> subnetNames();

  /** Waits up to {@code grace} for queued and running requests; whether all finished. */
  boolean drain(Duration grace) throws InterruptedException;

  /**
   * The grace period is over: answers every request still queued or running with 503 {@code
   * shutting_down}, so none is left without an answer. Inference in flight ends at its next step
   * (generation) or with its run (batches).
   */
  void abandon();

  /** Frees the model's sessions (after a successful drain). */
  void close() throws Exception;
}
