package io.flexserve.server.encoder;

import io.flexserve.models.encoder.ElasticEncoder;
import io.flexserve.models.encoder.EncoderManifest;
import io.flexserve.router.ModelMenu;
import io.flexserve.router.SubnetProfile;
import io.flexserve.server.catalog.ModelCatalog;
import io.flexserve.server.catalog.ServedModel;
import io.flexserve.server.catalog.SubnetDescription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** An embedding model: the loaded encoder, its measured menu of sub-networks, and its scheduler. */
public record ServedEncoder(
    String name, ElasticEncoder encoder, ModelMenu menu, EncoderScheduler scheduler)
    implements ServedModel {
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
