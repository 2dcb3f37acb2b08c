package io.flexserve.loadtest.endpoint;

import io.flexserve.loadtest.json.JsonWriter;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Builds the {@code POST /v1/embeddings} requests of a run: an OpenAI body
 * {@code {"model": …, "input": "text" | ["a", "b"]}} and the routing headers.
 *
 * @param endpoint the server
 * @param model the {@code model} field; not blank
 * @param payloads the texts, round-robin
 * @param targetMillis sent as {@code X-Latency-Target-Ms} when present; positive
 * @param strict whether to send {@code X-Deadline-Policy: strict} (otherwise the header is left out, which the server
 *     reads as best-effort)
 * @param timeout per-request timeout; positive
 */
public record EmbeddingsRequests(Endpoint endpoint, String model, Payloads payloads, OptionalDouble targetMillis,
                                 boolean strict, Duration timeout) {
    /** Request header carrying the latency target in milliseconds. */
    public static final String LATENCY_TARGET = "X-Latency-Target-Ms";
    /** Request header carrying the deadline policy. */
    public static final String DEADLINE_POLICY = "X-Deadline-Policy";

    public EmbeddingsRequests {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(payloads, "payloads");
        Objects.requireNonNull(targetMillis, "targetMillis");
        if (model.isBlank()) {
            throw new IllegalArgumentException("model name must not be blank");
        }
        if (targetMillis.isPresent() && !(targetMillis.getAsDouble() > 0)) {
            throw new IllegalArgumentException("latency target must be > 0 ms, got " + targetMillis.getAsDouble());
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
    }

    /** The JSON body of request {@code index}. */
    public String body(int index) {
        List<String> inputs = payloads.inputsFor(index);
        JsonWriter json = new JsonWriter().beginObject().name("model").value(model).name("input");
        if (payloads.inputsPerRequest() == 1) {
            json.value(inputs.get(0));
        } else {
            json.beginArray();
            inputs.forEach(json::value);
            json.endArray();
        }
        return json.endObject().toJson();
    }

    /** The HTTP request for schedule position {@code index}. */
    public HttpRequest build(int index) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint.embeddings())
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(index)));
        targetMillis.ifPresent(t -> builder.header(LATENCY_TARGET, millisHeader(t)));
        if (strict) {
            builder.header(DEADLINE_POLICY, "strict");
        }
        return builder.build();
    }

    static String millisHeader(double millis) {
        return millis == Math.rint(millis) && millis < 1e15 ? Long.toString((long) millis) : Double.toString(millis);
    }
}
