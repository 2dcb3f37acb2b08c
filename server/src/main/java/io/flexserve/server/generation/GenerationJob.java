package io.flexserve.server.generation;

import io.flexserve.models.runtime.Sampler;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One generation inside the scheduler: its request, where its events go, and how far it got. Fields other than
 * {@link #cancel} are touched only by the scheduler thread.
 */
public final class GenerationJob {
  final long id;
  final GenerationRequest request;
  final GenerationEvents events;
  final String subnet;
  final double predictedMillis;
  final Sampler sampler;
  final TextStream text;
  final Map<String, Integer> tokensPerSubnet = new LinkedHashMap<>();
  int generated;
  long lastToken;
  double startMillis = Double.NaN;
  double firstTokenMillis = Double.NaN;
  double lastTokenMillis = Double.NaN;
  private volatile boolean cancelled;

  GenerationJob(long id, GenerationRequest request, GenerationEvents events, String subnet, double predictedMillis, TextStream text) {
    this.id = id;
    this.request = request;
    this.events = events;
    this.subnet = subnet;
    this.predictedMillis = predictedMillis;
    this.sampler = new Sampler(request.sampling());
    this.text = text;
  }

  /** Stops the generation at the next decode step and frees its cache (the client went away). Any thread. */
  public void cancel() {
    cancelled = true;
  }

  boolean cancelled() {
    return cancelled;
  }

  /** The sub-network the router chose. */
  public String subnet() {
    return subnet;
  }
}
