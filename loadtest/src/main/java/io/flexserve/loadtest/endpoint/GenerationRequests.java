package io.flexserve.loadtest.endpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.NumericNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.flexserve.loadtest.http.OutgoingRequest;
import io.flexserve.loadtest.report.DeadlineVerdict;
import io.flexserve.loadtest.report.GenerationRecord;
import io.flexserve.loadtest.report.Outcome;
import io.flexserve.loadtest.report.RequestRecord;
import io.flexserve.loadtest.workload.EndpointKind;
import io.flexserve.loadtest.workload.PlannedRequest;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;

/**
 * Completions and chat requests ({@code POST /v1/completions}, {@code POST /v1/chat/completions}),
 * whole or streamed, and the reading of their answers into {@link RequestRecord}s.
 *
 * <p>Bodies: completions {@code {"model", "prompt", "max_tokens"}}, chat {@code {"model",
 * "messages": [{"role": "user", "content": prompt}], "max_tokens"}}; streams add {@code "stream":
 * true} and {@code "stream_options": {"include_usage": true}}. Headers: {@code
 * X-Latency-Target-Ms}, {@code X-TTFT-Target-Ms}, {@code X-TPOT-Target-Ms} when the request has
 * them, and {@code X-Deadline-Policy: strict} with {@code --strict}.
 *
 * <p><b>Why one class of 400 lines.</b> Writing a request and reading its answer are one protocol:
 * what a body asks for (streamed or not, usage included) decides how the answer is read, and the
 * four shapes (completions or chat, whole or streamed) share both halves.
 */
public final class GenerationRequests {
  /** Request header carrying the time-to-first-token target in milliseconds. */
  public static final String TTFT_TARGET = "X-TTFT-Target-Ms";

  /** Request header carrying the time-per-output-token target in milliseconds. */
  public static final String TPOT_TARGET = "X-TPOT-Target-Ms";

  /** Response header: the server's time to first token, milliseconds. */
  public static final String TTFT_MS = "X-TTFT-Ms";

  private GenerationRequests() {}

  /** The JSON body of a generation request. */
  public static String body(EndpointKind kind, String model, String prompt, int maxTokens) {
    ObjectNode body = EmbeddingsRequests.JSON.createObjectNode().put("model", model);
    if (kind == EndpointKind.CHAT || kind == EndpointKind.CHAT_STREAM) {
      body.putArray("messages").addObject().put("role", "user").put("content", prompt);
    } else {
      body.put("prompt", prompt);
    }
    body.put("max_tokens", maxTokens);
    if (kind.streaming()) {
      body.put("stream", true).putObject("stream_options").put("include_usage", true);
    }
    return EmbeddingsRequests.write(body);
  }

  static OutgoingRequest build(EmbeddingsRequests settings, PlannedRequest planned) {
    EndpointKind kind = planned.kind();
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("Accept", kind.streaming() ? "*/*" : "application/json");
    planned
        .targetMillis()
        .ifPresent(
            t ->
                headers.put(EmbeddingsRequests.LATENCY_TARGET, EmbeddingsRequests.millisHeader(t)));
    planned
        .generation()
        .ttftTargetMillis()
        .ifPresent(t -> headers.put(TTFT_TARGET, EmbeddingsRequests.millisHeader(t)));
    planned
        .generation()
        .tpotTargetMillis()
        .ifPresent(t -> headers.put(TPOT_TARGET, EmbeddingsRequests.millisHeader(t)));
    if (settings.strict()) {
      headers.put(EmbeddingsRequests.DEADLINE_POLICY, "strict");
    }
    String body =
        body(
            kind,
            settings.generationModel(),
            planned.inputs().get(0),
            planned.generation().maxTokens());
    return OutgoingRequest.post(
        settings.endpoint().path(kind.path()),
        headers,
        body.getBytes(StandardCharsets.UTF_8),
        settings.timeout());
  }

  /**
   * The record of a non-streaming generation: routing headers as for embeddings, plus the body's
   * {@code usage.completion_tokens}, {@code finish_reason} and {@code flexserve} object.
   */
  public static RequestRecord wholeRecord(
      int index,
      long intendedNanos,
      double targetMillis,
      EndpointKind kind,
      int status,
      HttpHeaders headers,
      String body,
      long latencyNanos,
      long serviceNanos) {
    RequestRecord base =
        ResponseHeaders.toRecord(
            index,
            intendedNanos,
            targetMillis,
            status,
            headers,
            latencyNanos,
            serviceNanos,
            kind.label());
    Summary s = new Summary();
    if (Outcome.ofStatus(status) == Outcome.OK) {
      try {
        if (EmbeddingsRequests.JSON.readValue(body, JsonNode.class) instanceof ObjectNode root) {
          s.read(root);
        }
      } catch (JsonProcessingException e) {
        s.finish = "unparsable";
      }
    }
    List<String> subnets = s.subnets();
    if (subnets.isEmpty() && !base.subnet().isEmpty()) {
      subnets = List.of(base.subnet().split(","));
    }
    double serverTtft =
        !Double.isNaN(s.serverTtft)
            ? s.serverTtft
            : millis(headers.firstValue(TTFT_MS).orElse(null));
    DeadlineVerdict verdict =
        base.deadlineVerdict() != DeadlineVerdict.NOT_REPORTED ? base.deadlineVerdict() : s.verdict;
    GenerationRecord g =
        new GenerationRecord(
            false, Double.NaN, new double[0], 0, s.tokens(0), subnets, s.finish, serverTtft);
    return new RequestRecord(
        index,
        intendedNanos,
        targetMillis,
        base.outcome(),
        status,
        latencyNanos,
        serviceNanos,
        s.mainSubnet(subnets),
        verdict,
        base.queueMillis(),
        base.inferenceMillis(),
        "",
        kind.label(),
        g);
  }

  /**
   * The record of a stream: one {@link SseEvent} per {@code data:} line, stamped on arrival. TTFT
   * is the first event with text, measured from the intended send time; inter-token times are the
   * gaps between text events.
   */
  public static RequestRecord streamRecord(
      int index,
      long intendedNanos,
      double targetMillis,
      EndpointKind kind,
      int status,
      HttpHeaders headers,
      List<SseEvent> events,
      long latencyNanos,
      long serviceNanos) {
    RequestRecord base =
        ResponseHeaders.toRecord(
            index,
            intendedNanos,
            targetMillis,
            status,
            headers,
            latencyNanos,
            serviceNanos,
            kind.label());
    Summary s = new Summary();
    LinkedHashSet<String> chunkSubnets = new LinkedHashSet<>();
    long first = -1;
    long previous = -1;
    List<Double> gaps = new ArrayList<>();
    int textChunks = 0;
    String error = "";
    for (SseEvent e : events) {
      if (e.data().equals("[DONE]")) {
        continue;
      }
      JsonNode v;
      try {
        v = EmbeddingsRequests.JSON.readValue(e.data(), JsonNode.class);
      } catch (JsonProcessingException ex) {
        error = "unparsable event: " + ex.getOriginalMessage();
        continue;
      }
      if (!(v instanceof ObjectNode root)) {
        continue;
      }
      if (root.get("error") instanceof ObjectNode err) {
        s.finish = "error";
        error = err.get("message") instanceof TextNode m ? m.textValue() : "error event";
        continue;
      }
      if (root.path("flexserve").get("subnet") instanceof TextNode sub) {
        chunkSubnets.add(sub.textValue());
      }
      if (hasText(root)) {
        textChunks++;
        if (first < 0) {
          first = e.nanos();
        } else {
          gaps.add((e.nanos() - previous) / 1e6);
        }
        previous = e.nanos();
      }
      s.read(root);
    }
    List<String> subnets = new ArrayList<>(chunkSubnets);
    for (String n : s.subnets()) {
      if (!subnets.contains(n)) {
        subnets.add(n);
      }
    }
    double[] gapArray = gaps.stream().mapToDouble(Double::doubleValue).toArray();
    long intendedAbsolute = events.isEmpty() ? 0 : events.get(0).intendedNanos();
    double ttft = first < 0 ? Double.NaN : (first - intendedAbsolute) / 1e6;
    GenerationRecord g =
        new GenerationRecord(
            true,
            ttft,
            gapArray,
            textChunks,
            s.tokens(textChunks),
            subnets,
            s.finish,
            s.serverTtft);
    DeadlineVerdict verdict =
        s.verdict != DeadlineVerdict.NOT_REPORTED ? s.verdict : base.deadlineVerdict();
    return new RequestRecord(
        index,
        intendedNanos,
        targetMillis,
        base.outcome(),
        status,
        latencyNanos,
        serviceNanos,
        s.mainSubnet(subnets),
        verdict,
        base.queueMillis(),
        base.inferenceMillis(),
        error,
        kind.label(),
        g);
  }

  private static boolean hasText(ObjectNode root) {
    if (!(firstChoice(root) instanceof ObjectNode choice)) {
      return false;
    }
    if (choice.get("text") instanceof TextNode t) {
      return !t.textValue().isEmpty();
    }
    return choice.get("delta") instanceof ObjectNode d
        && d.get("content") instanceof TextNode c
        && !c.textValue().isEmpty();
  }

  // choices[0]; null when there is none.
  private static JsonNode firstChoice(ObjectNode root) {
    return root.get("choices") instanceof ArrayNode choices ? choices.get(0) : null;
  }

  private static double millis(String value) {
    if (value == null) {
      return Double.NaN;
    }
    try {
      return Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** What the body or the chunks said about the whole generation. */
  private static final class Summary {
    String finish = "";
    long usageTokens = -1;
    Map<String, Long> perSubnet = new LinkedHashMap<>();
    DeadlineVerdict verdict = DeadlineVerdict.NOT_REPORTED;
    double serverTtft = Double.NaN;

    void read(ObjectNode root) {
      if (firstChoice(root) instanceof ObjectNode choice
          && choice.get("finish_reason") instanceof TextNode f) {
        finish = f.textValue();
      }
      if (root.get("usage") instanceof ObjectNode usage
          && usage.get("completion_tokens") instanceof NumericNode n) {
        usageTokens = (long) n.doubleValue();
      }
      if (!(root.get("flexserve") instanceof ObjectNode fx)) {
        return;
      }
      if (fx.get("tokens_per_subnet") instanceof ObjectNode per) {
        per.properties()
            .forEach(
                p -> {
                  if (p.getValue() instanceof NumericNode n) {
                    perSubnet.put(p.getKey(), (long) n.doubleValue());
                  }
                });
      }
      if (fx.get("deadline_met") instanceof BooleanNode b) {
        verdict = b.booleanValue() ? DeadlineVerdict.MET : DeadlineVerdict.MISSED;
      }
      if (fx.get("ttft_ms") instanceof NumericNode t) {
        serverTtft = t.doubleValue();
      }
    }

    int tokens(int fallback) {
      if (usageTokens >= 0) {
        return (int) usageTokens;
      }
      if (!perSubnet.isEmpty()) {
        return (int) perSubnet.values().stream().mapToLong(Long::longValue).sum();
      }
      return fallback > 0 ? fallback : -1;
    }

    List<String> subnets() {
      return new ArrayList<>(perSubnet.keySet());
    }

    // The sub-network that produced the most tokens (first on ties); else the first one used.
    String mainSubnet(List<String> subnets) {
      String best = "";
      long most = -1;
      for (Map.Entry<String, Long> e : perSubnet.entrySet()) {
        if (e.getValue() > most) {
          best = e.getKey();
          most = e.getValue();
        }
      }
      return !best.isEmpty() ? best : subnets.isEmpty() ? "" : subnets.get(0);
    }
  }

  /**
   * One {@code data:} line of a stream.
   *
   * @param nanos {@code System.nanoTime()} at its arrival
   * @param intendedNanos {@code System.nanoTime()} at the request's intended send time
   * @param data the text after {@code data:}, stripped
   */
  public record SseEvent(long nanos, long intendedNanos, String data) {}

  /**
   * Collects a stream's {@code data:} lines with their arrival times, for {@code
   * HttpResponse.BodyHandlers.fromLineSubscriber}. Reactive Streams serialises the calls; the
   * response future completes after {@code onComplete}, which orders the list's writes before
   * {@link #events()}.
   */
  public static final class SseCollector implements Flow.Subscriber<String> {
    private final long intendedNanos;
    private final List<SseEvent> events = new ArrayList<>();

    /**
     * @param intendedNanos {@code System.nanoTime()} at the intended send time
     */
    public SseCollector(long intendedNanos) {
      this.intendedNanos = intendedNanos;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      line(line, System.nanoTime());
    }

    /** Takes one line of the stream that arrived at {@code now} ({@code System.nanoTime()}). */
    public void line(String line, long now) {
      if (line.startsWith("data:")) {
        events.add(new SseEvent(now, intendedNanos, line.substring(5).strip()));
      } else if (!line.isBlank()
          && !line.startsWith(":")
          && !line.startsWith("event:")
          && !line.startsWith("id:")
          && !line.startsWith("retry:")) {
        // Not SSE (an error answer's JSON body): keep it as data so its error is read.
        events.add(new SseEvent(now, intendedNanos, line.strip()));
      }
    }

    @Override
    public void onError(Throwable throwable) {}

    @Override
    public void onComplete() {}

    /** The events so far. */
    public List<SseEvent> events() {
      return events;
    }
  }
}
