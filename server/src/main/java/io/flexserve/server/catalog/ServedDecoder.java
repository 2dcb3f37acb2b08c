package io.flexserve.server.catalog;

import io.flexserve.models.runtime.ElasticDecoder;
import io.flexserve.router.generation.DecoderProfile;
import io.flexserve.server.generation.ChatTemplate;
import io.flexserve.server.generation.GenerationScheduler;
import java.time.Duration;
import java.util.List;

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
  @Override
  public List<String> subnetNames() {
    return menu.stream().map(DecoderProfile::name).toList();
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
