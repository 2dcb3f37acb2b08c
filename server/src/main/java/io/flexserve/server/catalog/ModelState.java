package io.flexserve.server.catalog;

/** Lifecycle of one served model, in order. */
public enum ModelState {
  /**
   * Found in the repository (or the default), being converted, loaded and profiled; requests get
   * 503.
   */
  LOADING,
  /** Serving. */
  READY,
  /** Loading failed; requests get 503 with the reason. Other models keep serving. */
  FAILED
}
