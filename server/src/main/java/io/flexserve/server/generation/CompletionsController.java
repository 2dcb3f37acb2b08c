package io.flexserve.server.generation;

import io.flexserve.models.runtime.Sampler;
import io.flexserve.server.catalog.ModelCatalog;
import io.flexserve.server.config.FlexserveConfig;
import io.flexserve.server.errors.ApiException;
import io.flexserve.server.errors.RequestTags;
import io.flexserve.server.metrics.ServerMetrics;
import io.flexserve.server.request.EoraRankHeader;
import io.flexserve.server.request.MillisHeader;
import io.flexserve.server.request.RoutingHeaders;
import io.flexserve.server.transport.ClientDisconnects;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.sse.Event;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * {@code POST /v1/completions} and {@code POST /v1/chat/completions} (OpenAI), with {@code stream:
 * true} as server-sent events ending in {@code data: [DONE]}. A client that disconnects cancels its
 * generation: the scheduler drops it at the next decode step and frees its cache. Non-streaming
 * responses carry the routing headers ({@code X-Subnet}, {@code X-Queue-Ms}, {@code X-TTFT-Ms},
 * {@code X-Inference-Ms}, {@code X-Predicted-Ms}, {@code X-Deadline-Met}); streams say the
 * sub-network in every chunk and summarise in the last.
 */
@Controller
public final class CompletionsController {
  private final CompletionRequestParser parser;
  private final ModelCatalog catalog;
  private final ServerMetrics metrics;
  private final FlexserveConfig config;
  private final ClientDisconnects disconnects;
  private final AtomicLong sequence = new AtomicLong();

  public CompletionsController(
      CompletionRequestParser parser,
      ModelCatalog catalog,
      ServerMetrics metrics,
      FlexserveConfig config,
      ClientDisconnects disconnects) {
    this.parser = parser;
    this.catalog = catalog;
    this.metrics = metrics;
    this.config = config;
    this.disconnects = disconnects;
  }

  @Post("/v1/completions")
  @Consumes({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL})
  @Produces({MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM})
  @ExecuteOn(TaskExecutors.BLOCKING)
  public Publisher<MutableHttpResponse<?>> completions(HttpRequest<?> http, @Body byte[] body) {
    return handle(http, body, false, "/v1/completions");
  }

  @Post("/v1/chat/completions")
  @Consumes({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL})
  @Produces({MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM})
  @ExecuteOn(TaskExecutors.BLOCKING)
  public Publisher<MutableHttpResponse<?>> chat(HttpRequest<?> http, @Body byte[] body) {
    return handle(http, body, true, "/v1/chat/completions");
  }

  private Publisher<MutableHttpResponse<?>> handle(
      HttpRequest<?> http, byte[] body, boolean chat, String endpoint) {
    double arrival = RequestTags.arrivalMillis(http);
    RoutingHeaders headers = RoutingHeaders.from(http.getHeaders());
    CompletionRequest req = parser.parse(body, chat);
    String modelName = req.model().isEmpty() ? catalog.defaultModelName() : req.model();
    ServedDecoder model = ServedDecoder.from(catalog, modelName);
    String text = req.prompt();
    if (chat) {
      try {
        text = model.chatTemplate().render(req.messages());
      } catch (IllegalArgumentException e) {
        throw new ApiException.InvalidValue("invalid_messages", e.getMessage());
      }
    }
    long[] prompt = model.decoder().tokenizer().encode(text);
    int context = model.decoder().config().maxPositions();
    if (prompt.length >= context) {
      throw new ApiException.BadRequest(
          "context_length_exceeded",
          "the prompt is "
              + prompt.length
              + " tokens; "
              + modelName
              + " has a context of "
              + context
              + " tokens");
    }
    int maxTokens = req.maxTokens() == null ? context - prompt.length : req.maxTokens();
    if (maxTokens
        > context - prompt.length) { // not prompt + max: that overflows near Integer.MAX_VALUE
      throw new ApiException.BadRequest(
          "context_length_exceeded",
          "max_tokens "
              + maxTokens
              + " plus the prompt's "
              + prompt.length
              + " tokens exceeds the context of "
              + context
              + " tokens");
    }
    int vocab = model.decoder().config().vocabSize();
    for (int token : req.adjustments().bias().keySet()) {
      if (token >= vocab) {
        throw new ApiException.InvalidValue(
            "invalid_value",
            "'logit_bias' names token "
                + token
                + "; "
                + modelName
                + "'s vocabulary has "
                + vocab
                + " tokens");
      }
    }
    List<String> stop = new ArrayList<>(req.stop());
    if (chat) {
      stop.addAll(model.chatTemplate().stops());
    }
    GenerationRequest generation =
        GenerationRequest.routed(
            arrival,
            prompt,
            maxTokens,
            new Sampler.Params(req.temperature(), req.topP(), req.topK(), req.seed()),
            stop,
            req.logprobs(),
            req.adjustments(),
            headers,
            EoraRankHeader.from(
                http.getHeaders(), model.decoder().manifest().eoraRanks(), modelName),
            config.timeoutMillis(headers.timeoutMillis()));
    CompletionChunks chunks = new CompletionChunks(chat, modelName, sequence.incrementAndGet());
    String echo = req.echo() ? text : "";
    return req.stream()
        ? stream(http, model, generation, chunks, req.includeUsage(), echo, endpoint)
        : whole(http, model, generation, chunks, echo, endpoint);
  }

  /**
   * @param echo text the answer starts with (completions' {@code echo}: the prompt), or ""
   */
  private Publisher<MutableHttpResponse<?>> whole(
      HttpRequest<?> http,
      ServedDecoder model,
      GenerationRequest generation,
      CompletionChunks chunks,
      String echo,
      String endpoint) {
    return Mono.fromFuture(
        WholeGeneration.run(model, generation, echo, http, disconnects, endpoint)
            .thenApply(done -> response(model, chunks, done, endpoint)));
  }

  /** The answer to a whole generation, with its routing headers. */
  private MutableHttpResponse<?> response(
      ServedDecoder model, CompletionChunks chunks, WholeGeneration.Result done, String endpoint) {
    GenerationEvents.Finish f = done.finish();
    MutableHttpResponse<String> r =
        HttpResponse.ok(chunks.response(done.text(), done.logprobs(), f))
            .contentType(MediaType.APPLICATION_JSON_TYPE);
    java.util.Collection<String> used =
        f.tokensPerSubnet().isEmpty() ? f.subnets() : f.tokensPerSubnet().keySet();
    r.header("X-Subnet", String.join(",", used))
        .header("X-Queue-Ms", MillisHeader.format(f.queueMillis()))
        .header("X-TTFT-Ms", MillisHeader.format(f.ttftMillis()))
        .header("X-Inference-Ms", MillisHeader.format(f.totalMillis() - f.queueMillis()))
        .header("X-Predicted-Ms", MillisHeader.format(f.predictedMillis()));
    eoraRank(r, model, used);
    if (f.deadlineMet() != null) {
      r.header("X-Deadline-Met", Boolean.toString(f.deadlineMet()));
    }
    if (!f.reason().equals("cancelled")) {
      metrics.requests.labels(model.name(), String.join(",", f.subnets()), endpoint, "200").inc();
    }
    return r;
  }

  private Publisher<MutableHttpResponse<?>> stream(
      HttpRequest<?> http,
      ServedDecoder model,
      GenerationRequest generation,
      CompletionChunks chunks,
      boolean includeUsage,
      String echo,
      String endpoint) {
    Sinks.Many<Event<String>> sink = Sinks.many().unicast().onBackpressureBuffer();
    if (!echo.isEmpty()) { // before the generation starts, so it is the first chunk
      sink.tryEmitNext(Event.of(chunks.delta(echo, true, null, null)));
    }
    GenerationJob job =
        model
            .scheduler()
            .submit(
                generation,
                new GenerationEvents() {
                  private boolean first = true;

                  @Override
                  public void token(Token t) {
                    CompletionChunks.Logprobs lp =
                        t.logprob() == null
                            ? null
                            : new CompletionChunks.Logprobs(
                                List.of(t.piece()),
                                List.of(t.logprob()),
                                List.of(t.top()),
                                List.of(0));
                    if (t.text().isEmpty() && lp == null) {
                      return; // held back (a possible stop string or an incomplete character):
                      // nothing to send yet
                    }
                    sink.tryEmitNext(
                        Event.of(
                            chunks.delta(
                                t.text(), first, t.subnet(), eoraRankOf(model, t.subnet()), lp)));
                    first = false;
                  }

                  @Override
                  public void finish(Finish f) {
                    sink.tryEmitNext(Event.of(chunks.last(f.tail(), f)));
                    if (includeUsage) {
                      sink.tryEmitNext(Event.of(chunks.usageChunk(f)));
                    }
                    sink.tryEmitNext(Event.of("[DONE]"));
                    sink.tryEmitComplete();
                    if (!f.reason().equals("cancelled")) {
                      metrics
                          .requests
                          .labels(model.name(), String.join(",", f.subnets()), endpoint, "200")
                          .inc();
                    }
                  }

                  @Override
                  public void fail(Exception error) {
                    sink.tryEmitNext(
                        Event.of(
                            CompletionChunks.error("generation failed: " + error.getMessage())));
                    sink.tryEmitNext(Event.of("[DONE]"));
                    sink.tryEmitComplete();
                  }
                });
    ClientDisconnects.Watch watch = disconnects.watch(http, endpoint, job::cancel);
    Flux<Event<String>> events =
        sink.asFlux()
            .doOnCancel(job::cancel)
            .doFinally(
                signal -> {
                  if (signal != reactor.core.publisher.SignalType.CANCEL) {
                    watch.done();
                  }
                });
    MutableHttpResponse<?> response =
        HttpResponse.ok(events)
            .contentType(MediaType.TEXT_EVENT_STREAM_TYPE)
            .header("X-Subnet", job.subnet());
    eoraRank(response, model, List.of(job.subnet()));
    return Mono.just(response);
  }

  /**
   * {@code X-EoRA-Rank}: the compensation rank of each sub-network that generated, on models that
   * have compensation.
   */
  private static void eoraRank(
      MutableHttpResponse<?> r, ServedDecoder model, java.util.Collection<String> subnets) {
    if (model.decoder().manifest().compression() != null) {
      r.header(
          EoraRankHeader.NAME,
          String.join(
              ",", subnets.stream().map(s -> String.valueOf(eoraRankOf(model, s))).toList()));
    }
  }

  /** The compensation rank {@code subnet} runs with; null on models without compensation. */
  private static Integer eoraRankOf(ServedDecoder model, String subnet) {
    return model.decoder().manifest().compression() == null
        ? null
        : model.decoder().manifest().eoraRankOf(subnet);
  }
}
