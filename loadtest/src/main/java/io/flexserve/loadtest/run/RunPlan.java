package io.flexserve.loadtest.run;

import io.flexserve.loadtest.endpoint.EmbeddingsRequests;
import io.flexserve.loadtest.workload.Workload;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one run needs.
 *
 * @param requests where to send and how (model, deadline policy, timeout)
 * @param workload what to send and when
 * @param readyTimeout how long to wait for the readiness probe before giving up; zero or more
 * @param sender which program sends the requests; {@link Sender#NATIVE} takes non-streaming
 *     workloads only
 */
public record RunPlan(
    EmbeddingsRequests requests, Workload workload, Duration readyTimeout, Sender sender) {
  public RunPlan {
    Objects.requireNonNull(requests, "requests");
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(sender, "sender");
    if (readyTimeout.isNegative()) {
      throw new IllegalArgumentException("ready timeout must be >= 0, got " + readyTimeout);
    }
  }

  /** A plan sent by the in-process Netty sender. */
  public RunPlan(EmbeddingsRequests requests, Workload workload, Duration readyTimeout) {
    this(requests, workload, readyTimeout, Sender.NETTY);
  }

  /** The plan as labelled strings, in a stable order, for the console and JSON reports. */
  public Map<String, String> describe() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("url", requests.endpoint().base().toString());
    out.put("model", requests.model());
    if (!requests.generationModel().equals(requests.model())) {
      out.put("generation model", requests.generationModel());
    }
    out.putAll(workload.describe());
    out.put("deadline policy", requests.strict() ? "strict" : "best-effort");
    out.put("timeout", requests.timeout().toMillis() / 1e3 + " s");
    out.put("sender", sender.label());
    return out;
  }
}
