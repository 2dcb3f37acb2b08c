package io.flexserve.models;

import java.util.List;
import java.util.Map;

/**
 * How a bundle's weights were retrained by elastic distillation ({@code flexserve distill});
 * recorded in its manifest, absent (null) for a bundle as converted.
 *
 * @param source the bundle distilled (its manifest {@code name} and directory)
 * @param steps optimiser steps taken
 * @param tokens student tokens seen (decoders: token positions; encoders: real tokens)
 * @param seconds wall time of the training loop
 * @param seed the seed that makes the run repeatable
 * @param texts training text files; empty when a decoder trained on its own teacher's samples
 * @param measure what each sub-network's quality is, as measured after training on held-out data,
 *     e.g. {@code perplexity on 64 held-out windows of 128 tokens}
 * @param before the same measure of each sub-network of the source bundle, by name
 */
public record Distillation(
    String source,
    int steps,
    long tokens,
    double seconds,
    long seed,
    List<String> texts,
    String measure,
    Map<String, Double> before) {
  public Distillation {
    texts = List.copyOf(texts);
    before = Map.copyOf(before);
  }
}
