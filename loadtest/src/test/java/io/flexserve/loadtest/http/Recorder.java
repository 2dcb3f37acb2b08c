package io.flexserve.loadtest.http;

import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** An {@link Exchange} that keeps everything it is told, for tests. */
final class Recorder implements Exchange {
  record Line(String text, long nanos) {}

  record Answer(int status, HttpHeaders headers, String body, List<Line> lines, long sentNanos) {}

  final CompletableFuture<Answer> answer = new CompletableFuture<>();
  final List<Line> lines = new ArrayList<>();
  volatile long sentNanos = -1;
  volatile String thread;

  @Override
  public void sent(long nanos) {
    sentNanos = nanos;
  }

  @Override
  public void line(String line, long nanos) {
    lines.add(new Line(line, nanos));
  }

  @Override
  public void completed(int status, HttpHeaders headers, String body, long nanos) {
    thread = Thread.currentThread().getName();
    answer.complete(new Answer(status, headers, body, List.copyOf(lines), sentNanos));
  }

  @Override
  public void failed(Throwable cause, long nanos) {
    thread = Thread.currentThread().getName();
    answer.completeExceptionally(cause);
  }

  /** The answer, waiting at most 10 s (a test that hangs is a failing test). */
  Answer get() throws Exception {
    return answer.get(10, TimeUnit.SECONDS);
  }
}
