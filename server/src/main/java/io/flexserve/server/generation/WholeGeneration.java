package io.flexserve.server.generation;

import io.flexserve.server.errors.ApiException;
import io.flexserve.server.serving.ServingException;
import io.flexserve.server.transport.ClientDisconnects;
import io.micronaut.http.HttpRequest;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;

/**
 * A non-streaming generation, collected into one {@link Result}: what {@code /v1/completions},
 * {@code /v1/chat/completions} and Open Inference Protocol inference answer at once. The client's
 * connection is watched (a client that leaves, or cancelling the returned future, stops the
 * generation at its next step), and the scheduler's own refusals (timeout, shutdown) keep their
 * type, so they keep their status and code.
 */
public final class WholeGeneration {
  private WholeGeneration() {}

  /**
   * @param text everything generated, after the prefix the caller asked for
   * @param tokenIds every generated token id
   * @param logprobs per token, when the request asked for them; null otherwise
   */
  public record Result(
      String text,
      long[] tokenIds,
      CompletionChunks.Logprobs logprobs,
      GenerationEvents.Finish finish) {}

  /**
   * Submits {@code generation} to {@code model}'s scheduler.
   *
   * @param prefix text the answer starts with ({@code echo}: the prompt), or ""
   * @param endpoint the route, for the disconnect metric
   */
  public static CompletableFuture<Result> run(
      ServedDecoder model,
      GenerationRequest generation,
      String prefix,
      HttpRequest<?> http,
      ClientDisconnects disconnects,
      String endpoint) {
    CompletableFuture<Result> done = new CompletableFuture<>();
    StringBuilder text = new StringBuilder(prefix);
    java.util.List<Long> ids = new ArrayList<>();
    CompletionChunks.Logprobs logprobs =
        generation.logprobs() == null
            ? null
            : new CompletionChunks.Logprobs(
                new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    GenerationJob job =
        model
            .scheduler()
            .submit(
                generation,
                new GenerationEvents() {
                  @Override
                  public void token(Token t) {
                    ids.add((long) t.id());
                    if (logprobs != null) {
                      logprobs.tokens().add(t.piece());
                      logprobs.logprobs().add(t.logprob());
                      logprobs.top().add(t.top());
                      logprobs.offsets().add(text.length());
                    }
                    text.append(t.text());
                  }

                  @Override
                  public void finish(Finish f) {
                    text.append(f.tail());
                    done.complete(
                        new Result(
                            text.toString(),
                            ids.stream().mapToLong(Long::longValue).toArray(),
                            logprobs,
                            f));
                  }

                  @Override
                  public void fail(Exception error) {
                    done.completeExceptionally(
                        error instanceof ServingException || error instanceof ApiException
                            ? error
                            : new ServingException.InferenceFailed(
                                "generation failed: " + error.getMessage()));
                  }
                });
    // The framework does not cancel a single answer whose client left; the watch does (and counts
    // it). Cancelling the future (the framework's own cancellation) stops the generation too.
    ClientDisconnects.Watch watch = disconnects.watch(http, endpoint, job::cancel);
    done.whenComplete(
        (r, e) -> {
          watch.done();
          if (done.isCancelled()) {
            job.cancel();
          }
        });
    return done;
  }
}
