/**
 * What every model kind's sessions share: {@link SessionConfig} (threads, device, options), {@link
 * SharedWeightSession} (external initializers backed by views of one weight mapping), {@link
 * TimedRun} (a timed run that hands the arena back), {@link SessionOutputs} and {@link Sampler}.
 * Each kind's own sessions live in its package ({@code encoder}, {@code llm}, {@code vision}),
 * which depend on this one and never the other way round.
 *
 * <p>Sessions of one model share one {@link io.flexserve.models.weights.MappedWeights} mapping
 * through {@code SessionOptions.addInitializer}; pre-packing is disabled so ONNX Runtime does not
 * keep a private packed copy of each weight per session.
 */
package io.flexserve.models.runtime;
