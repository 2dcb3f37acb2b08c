/**
 * ONNX Runtime sessions for loaded models. This is the only package that talks to ONNX Runtime at
 * serving time.
 *
 * <p>Sessions of one model share one {@link io.flexserve.models.weights.MappedWeights} mapping
 * through {@code SessionOptions.addInitializer}; pre-packing is disabled so ONNX Runtime does not
 * keep a private packed copy of each weight per session.
 */
package io.flexserve.models.runtime;
