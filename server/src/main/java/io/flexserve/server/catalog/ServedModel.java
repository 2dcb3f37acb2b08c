package io.flexserve.server.catalog;

import java.time.Duration;

/**
 * A model that is ready to serve, of one kind: each kind's package implements it (the encoder's
 * {@code ServedEncoder} answers {@code /v1/embeddings}, the decoder's {@code ServedDecoder} the
 * completion endpoints, the vision backbone's {@code ServedVision} {@code /v1/vision/features}).
 * Not sealed: the set of kinds is open, and the catalog must not name them.
 */
public interface ServedModel {
  /** As in URLs and the {@code model} field. */
  String name();

  /** Names of the sub-networks, most accurate first. */
  java.util.List<String> subnetNames();

  /** Each sub-network as {@code GET /v1/models} lists it, most accurate first. */
  java.util.List<SubnetDescription> describe();

  /**
   * The requests that warm this model's request path before the server reports ready (see {@link
   * RequestPathWarmup}); none by default.
   */
  default java.util.List<WarmupCall> warmupCalls() {
    return java.util.List.of();
  }

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
