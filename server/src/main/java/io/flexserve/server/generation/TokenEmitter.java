package io.flexserve.server.generation;

import com.github.benmanes.caffeine.cache.Ticker;
import io.flexserve.models.llm.ElasticDecoder;
import io.flexserve.server.metrics.ServerMetrics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One row's next token, from the logits its step returned: adjust (penalties, bias), sample, time
 * it, detokenize, compute logprobs when asked, and send the token event. Whether the generation
 * ends there is the answer; ending it is the scheduler's job. Scheduler thread only.
 */
final class TokenEmitter {
  private final String model;
  private final ElasticDecoder decoder;
  private final Set<Integer> eos;
  private final ServerMetrics metrics;
  private final Ticker ticker;

  TokenEmitter(String model, ElasticDecoder decoder, ServerMetrics metrics, Ticker ticker) {
    this.model = model;
    this.decoder = decoder;
    this.eos = Set.copyOf(decoder.config().eosTokenIds());
    this.metrics = metrics;
    this.ticker = ticker;
  }

  /**
   * Samples {@code job}'s next token from {@code logits} and sends it.
   *
   * @return why the generation ends with this token ({@code stop}: end of sequence or a stop
   *     string; {@code length}: its max tokens, or the end of the context), or null when it goes on
   */
  String emit(GenerationJob job, float[] logits) {
    int vocab = decoder.config().vocabSize();
    logits = job.request.adjustments().apply(logits, vocab, job.generatedCounts);
    int token = job.sampler.next(logits, 0, vocab);
    observeTiming(job, ticker.read() / 1e6);
    long previous =
        job.generated == 0
            ? job.request.prompt()[job.request.prompt().length - 1]
            : job.tokens[job.generated - 1];
    job.lastToken = token;
    job.addToken(token);
    job.generated++;
    job.tokensPerSubnet.merge(job.subnet, 1, Integer::sum);
    metrics.generatedTokens.labels(model, job.subnet).inc();
    boolean end = eos.contains(token);
    TextStream.Delta delta = end ? new TextStream.Delta("", false) : job.text.add(token);
    Double logprob = null;
    Map<String, Double> top = null;
    if (job.request.logprobs() != null) {
      logprob = job.sampler.logprob(logits, 0, vocab, token);
      top = new LinkedHashMap<>();
      for (Map.Entry<Integer, Double> e :
          job.sampler.topLogprobs(logits, 0, vocab, job.request.logprobs())) {
        top.put(decoder.tokenizer().piece(previous, e.getKey()), e.getValue());
      }
    }
    // logprobs pieces are the exact text each token adds (leading space included), so they join
    // into the completion
    String piece = logprob == null ? null : decoder.tokenizer().piece(previous, token);
    job.events.token(
        new GenerationEvents.Token(token, delta.text(), piece, job.subnet, logprob, top));
    if (end || delta.stopped()) {
      return "stop";
    }
    return job.generated >= job.tokenLimit ? "length" : null;
  }

  /**
   * The first token's time to first token; after it, the gap since the previous token, which also
   * feeds the recent inter-token time switching paces the row by.
   */
  private void observeTiming(GenerationJob job, double now) {
    if (Double.isNaN(job.firstTokenMillis)) {
      job.firstTokenMillis = now;
      metrics
          .timeToFirstToken
          .labels(model, job.subnet)
          .observe((now - job.request.arrivalMillis()) / 1000);
    } else {
      double gap = now - job.lastTokenMillis;
      metrics.interTokenLatency.labels(model, job.subnet).observe(gap / 1000);
      job.recentTpotMillis =
          Double.isNaN(job.recentTpotMillis) ? gap : 0.5 * gap + 0.5 * job.recentTpotMillis;
      job.tokensOnSubnet++;
    }
    job.lastTokenMillis = now;
  }
}
