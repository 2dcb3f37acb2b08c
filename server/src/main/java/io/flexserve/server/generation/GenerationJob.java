package io.flexserve.server.generation;

import io.flexserve.models.runtime.Sampler;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One generation inside the scheduler: its request, where its events go, and how far it got. Fields
 * other than {@link #cancel} are touched only by the scheduler thread.
 */
public final class GenerationJob {
  final long id;
  final GenerationRequest request;
  final GenerationEvents events;

  /** The sub-network the router chose at admission. */
  final String initialSubnet;

  /**
   * Where it decodes now: the initial one, or another sharing its KV layout after a token-level
   * switch.
   */
  String subnet;

  final double predictedMillis;
  final double predictedTpotMillis;

  /**
   * Tokens it generates at most: its max tokens, or fewer when the context ends first (the HTTP
   * layer refuses most such requests, but not a max tokens so large that prompt + max overflows).
   */
  final int tokenLimit;

  final Sampler sampler;
  final TextStream text;
  final Map<String, Integer> tokensPerSubnet = new LinkedHashMap<>();

  /** How often each token was generated; kept only when the presence or frequency penalty is on. */
  final Map<Integer, Integer> generatedCounts = new java.util.HashMap<>();

  int generated;
  long lastToken;

  /** Every generated token so far (a switch re-joins the row with prompt + these). */
  long[] tokens = new long[16];

  /** Recent inter-token time on the current sub-network (EWMA), NaN before the first. */
  double recentTpotMillis = Double.NaN;

  /** Inter-token times seen on the current sub-network. */
  int tokensOnSubnet;

  /** Token count at the last step down, and step downs so far. */
  int stepDownAt = Integer.MIN_VALUE / 2;

  int stepDowns;
  double startMillis = Double.NaN;
  double firstTokenMillis = Double.NaN;
  double lastTokenMillis = Double.NaN;
  private volatile boolean cancelled;

  GenerationJob(
      long id,
      GenerationRequest request,
      GenerationEvents events,
      String subnet,
      double predictedMillis,
      double predictedTpotMillis,
      int tokenLimit,
      TextStream text) {
    this.id = id;
    this.request = request;
    this.events = events;
    this.initialSubnet = subnet;
    this.subnet = subnet;
    this.predictedMillis = predictedMillis;
    this.predictedTpotMillis = predictedTpotMillis;
    this.tokenLimit = tokenLimit;
    this.sampler = new Sampler(request.sampling());
    this.text = text;
  }

  /**
   * Stops the generation at the next decode step and frees its cache (the client went away). Any
   * thread.
   */
  public void cancel() {
    cancelled = true;
  }

  boolean cancelled() {
    return cancelled;
  }

  /** The sub-network the router chose (the first of those used, when the generation switches). */
  public String subnet() {
    return initialSubnet;
  }

  void addToken(long token) {
    if (generated == tokens.length) {
      tokens = java.util.Arrays.copyOf(tokens, tokens.length * 2);
    }
    tokens[generated] = token;
    if (request.adjustments().penalizes()) { // a map update per token is for the penalties only
      generatedCounts.merge((int) token, 1, Integer::sum);
    }
  }

  /** Prompt and every generated token. */
  long[] allTokens() {
    long[] prompt = request.prompt();
    long[] all = java.util.Arrays.copyOf(prompt, prompt.length + generated);
    System.arraycopy(tokens, 0, all, prompt.length, generated);
    return all;
  }
}
