package io.flexserve.loadtest.run;

import io.flexserve.loadtest.arrival.ArrivalProcess;
import io.flexserve.loadtest.arrival.ScheduleBounds;
import io.flexserve.loadtest.endpoint.EmbeddingsRequests;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one run needs.
 *
 * @param requests what to send and where
 * @param arrival when to send it
 * @param bounds how many requests, or for how long
 * @param seed seed of the arrival process
 * @param readyTimeout how long to wait for the readiness probe before giving up; zero or more
 */
public record RunPlan(EmbeddingsRequests requests, ArrivalProcess arrival, ScheduleBounds bounds, long seed,
                      Duration readyTimeout) {
    public RunPlan {
        Objects.requireNonNull(requests, "requests");
        Objects.requireNonNull(arrival, "arrival");
        Objects.requireNonNull(bounds, "bounds");
        if (readyTimeout.isNegative()) {
            throw new IllegalArgumentException("ready timeout must be >= 0, got " + readyTimeout);
        }
    }

    /** The plan as labelled strings, in a stable order, for the console and JSON reports. */
    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("url", requests.endpoint().base().toString());
        out.put("model", requests.model());
        out.put("arrival", arrival.describe());
        out.put("seed", Long.toString(seed));
        out.put("max requests", Integer.toString(bounds.maxRequests()));
        out.put("max duration", Double.isInfinite(bounds.durationSeconds()) ? "none" : bounds.durationSeconds() + " s");
        out.put("inputs per request", Integer.toString(requests.payloads().inputsPerRequest()));
        out.put("texts", Integer.toString(requests.payloads().texts().size()));
        out.put("latency target", requests.targetMillis().isPresent() ? requests.targetMillis().getAsDouble() + " ms" : "none");
        out.put("deadline policy", requests.strict() ? "strict" : "best-effort");
        out.put("timeout", requests.timeout().toMillis() / 1e3 + " s");
        return out;
    }
}
