package io.flexserve.server.encoder;

import io.flexserve.models.encoder.ElasticEncoder;
import io.flexserve.models.encoder.EncoderManifest;
import io.flexserve.router.ModelMenu;
import io.flexserve.router.SubnetProfile;
import io.flexserve.server.catalog.ModelCatalog;
import io.flexserve.server.catalog.ServedModel;
import io.flexserve.server.catalog.SubnetDescription;
import io.flexserve.server.catalog.WarmupCall;
import io.flexserve.server.request.RoutingHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** An embedding model: the loaded encoder, its measured menu of sub-networks, and its scheduler. */
public record ServedEncoder(
    String name, ElasticEncoder encoder, ModelMenu menu, EncoderScheduler scheduler)
    implements ServedModel {
  private static final String PATH = "/v1/embeddings";
  private static final String WARMUP_SENTENCE =
      "The little dog ran to the park with its red ball and played there all day.";

  /** The ready embedding model {@code name}; 400 when it is of another kind. */
  public static ServedEncoder from(ModelCatalog catalog, String name) {
    return catalog.require(
        name,
        ServedEncoder.class,
        "is not an embedding model; use /v1/completions, /v1/chat/completions or"
            + " /v1/vision/features");
  }

  @Override
  public List<String> subnetNames() {
    return menu.bestFirst().stream().map(SubnetProfile::name).toList();
  }

  @Override
  public List<SubnetDescription> describe() {
    List<SubnetDescription> out = new ArrayList<>();
    for (SubnetProfile p : menu.bestFirst()) {
      EncoderManifest.Subnet s =
          encoder.subnets().stream()
              .filter(x -> x.name().equals(p.name()))
              .findFirst()
              .orElseThrow();
      out.add(SubnetDescription.measured(p, s.layers(), s.heads(), s.mlpWidth()));
    }
    return out;
  }

  /**
   * A sentence of about 16 tokens on every sub-network, a batch of four, base64 output, a latency
   * target (burstable: a burst of them is mostly refused as overloaded) and a strict target no run
   * meets (429 {@code deadline_unsatisfiable}).
   */
  @Override
  public List<WarmupCall> warmupCalls() {
    String model = "{\"model\":" + WarmupCall.jsonString(name);
    String one = model + ",\"input\":\"" + WARMUP_SENTENCE + "\"}";
    List<WarmupCall> calls = new ArrayList<>();
    for (String subnet : subnetNames()) {
      calls.add(WarmupCall.json(PATH, one, Map.of(RoutingHeaders.SUBNET, subnet)));
    }
    String four = "\"" + WARMUP_SENTENCE + "\"";
    calls.add(
        WarmupCall.json(
            PATH,
            model + ",\"input\":[" + String.join(",", Collections.nCopies(4, four)) + "]}",
            Map.of()));
    calls.add(
        WarmupCall.json(
            PATH,
            model + ",\"input\":\"" + WARMUP_SENTENCE + "\",\"encoding_format\":\"base64\"}",
            Map.of()));
    calls.add(WarmupCall.json(PATH, one, Map.of(RoutingHeaders.LATENCY_TARGET, "10"), true));
    calls.add(
        WarmupCall.json(
            PATH,
            one,
            Map.of(
                RoutingHeaders.LATENCY_TARGET, "0.01", RoutingHeaders.DEADLINE_POLICY, "strict")));
    return calls;
  }

  @Override
  public boolean drain(Duration grace) throws InterruptedException {
    return scheduler.drain(grace);
  }

  @Override
  public void abandon() {
    scheduler.abandon();
  }

  @Override
  public void close() throws Exception {
    encoder.close();
  }
}
