package io.flexserve.server.generation;

import io.flexserve.models.llm.DecoderManifest;
import io.flexserve.models.llm.ElasticDecoder;
import io.flexserve.router.generation.DecoderProfile;
import io.flexserve.server.catalog.ModelCatalog;
import io.flexserve.server.catalog.ServedModel;
import io.flexserve.server.catalog.SubnetDescription;
import io.flexserve.server.catalog.WarmupCall;
import io.flexserve.server.request.RoutingHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A text-generation model: the loaded elastic decoder, its sub-networks' measured speed (most
 * accurate first), and the scheduler that batches its generations, and how its chat prompts are
 * written.
 */
public record ServedDecoder(
    String name,
    ElasticDecoder decoder,
    List<DecoderProfile> menu,
    GenerationScheduler scheduler,
    ChatTemplate chatTemplate)
    implements ServedModel {
  private static final String PROMPT = "Once upon a time, there was a little girl named Lily.";

  /** The ready text-generation model {@code name}; 400 when it is of another kind. */
  public static ServedDecoder from(ModelCatalog catalog, String name) {
    return catalog.require(
        name,
        ServedDecoder.class,
        "does not generate text; use /v1/embeddings or /v1/vision/features");
  }

  @Override
  public List<String> subnetNames() {
    return menu.stream().map(DecoderProfile::name).toList();
  }

  @Override
  public List<SubnetDescription> describe() {
    List<SubnetDescription> out = new ArrayList<>();
    for (DecoderProfile p : menu) {
      DecoderManifest.Subnet s =
          decoder.subnets().stream()
              .filter(x -> x.name().equals(p.name()))
              .findFirst()
              .orElseThrow();
      List<SubnetDescription.LayerShape> shapes =
          s.layers().stream()
              .map(l -> new SubnetDescription.LayerShape(l.index(), l.kvGroups(), l.mlpWidth()))
              .toList();
      out.add(
          new SubnetDescription(
              p.name(),
              s.layers().stream().map(l -> l.index()).toList(),
              null,
              null,
              null,
              null,
              null,
              shapes,
              SubnetDescription.round(s.perplexity()),
              SubnetDescription.round(p.prefillMsPerToken()),
              SubnetDescription.round(p.decodeMs()),
              s.precision(),
              s.eoraRank()));
    }
    return out;
  }

  /**
   * A few tokens from each menu entry, streamed and not, through both completion endpoints, and
   * with a time-per-token target (the switching path).
   */
  @Override
  public List<WarmupCall> warmupCalls() {
    String model = "\"model\":" + WarmupCall.jsonString(name);
    String prompt = "{" + model + ",\"prompt\":\"" + PROMPT + "\",\"max_tokens\":4";
    List<WarmupCall> calls = new ArrayList<>();
    for (String entry : subnetNames()) {
      calls.add(
          WarmupCall.json("/v1/completions", prompt + "}", Map.of(RoutingHeaders.SUBNET, entry)));
    }
    calls.add(WarmupCall.json("/v1/completions", prompt + ",\"stream\":true}", Map.of()));
    calls.add(
        WarmupCall.json("/v1/completions", prompt + "}", Map.of(RoutingHeaders.TPOT_TARGET, "1")));
    calls.add(
        WarmupCall.json(
            "/v1/chat/completions",
            "{"
                + model
                + ",\"messages\":[{\"role\":\"user\",\"content\":\""
                + PROMPT
                + "\"}],\"max_tokens\":4,\"stream\":true}",
            Map.of()));
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
    scheduler.close();
    decoder.close();
  }
}
