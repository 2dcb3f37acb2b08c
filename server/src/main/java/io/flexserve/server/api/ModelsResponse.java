package io.flexserve.server.api;

import io.flexserve.server.catalog.SubnetDescription;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * {@code GET /v1/models}: OpenAI's model list, each model extended with its menu of sub-networks.
 */
@Serdeable
public record ModelsResponse(String object, List<Model> data) {

  /**
   * @param state LOADING, READY or FAILED
   * @param subnets best (most accurate) first; empty until the model is ready
   */
  @Serdeable
  public record Model(
      String id,
      String object,
      long created,
      String owned_by,
      String state,
      List<SubnetDescription> subnets) {}
}
