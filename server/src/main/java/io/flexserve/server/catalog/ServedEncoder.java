package io.flexserve.server.catalog;

import io.flexserve.models.runtime.ElasticEncoder;
import io.flexserve.router.ModelMenu;
import io.flexserve.router.SubnetProfile;
import io.flexserve.server.scheduling.EncoderScheduler;
import java.time.Duration;
import java.util.List;

/** An embedding model: the loaded encoder, its measured menu of sub-networks, and its scheduler. */
public record ServedEncoder(
    String name, ElasticEncoder encoder, ModelMenu menu, EncoderScheduler scheduler)
    implements ServedModel {
  @Override
  public List<String> subnetNames() {
    return menu.bestFirst().stream().map(SubnetProfile::name).toList();
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
