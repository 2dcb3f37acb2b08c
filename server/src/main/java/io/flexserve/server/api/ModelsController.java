package io.flexserve.server.api;

import io.flexserve.server.catalog.ModelCatalog;
import io.flexserve.server.catalog.ModelState;
import io.flexserve.server.catalog.SubnetDescription;
import io.flexserve.server.errors.ApiException;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /v1/models}: every model, with each sub-network's size, measured quality and measured
 * latency.
 */
@Controller
public final class ModelsController {
  private final ModelCatalog catalog;
  private final long startedAt = System.currentTimeMillis() / 1000;

  public ModelsController(ModelCatalog catalog) {
    this.catalog = catalog;
  }

  @Get("/v1/models")
  public ModelsResponse list() {
    List<ModelsResponse.Model> models = new ArrayList<>();
    for (String name : catalog.names()) {
      models.add(model(name));
    }
    return new ModelsResponse("list", models);
  }

  /**
   * One model, as in the list (the OpenAI SDK's {@code models.retrieve}); 404 for a name the server
   * does not have.
   */
  @Get("/v1/models/{id}")
  public ModelsResponse.Model retrieve(String id) {
    if (catalog.state(id) == null) {
      throw new ApiException.NotFound(
          "model_not_found",
          "model '" + id + "' does not exist; served models: " + catalog.names());
    }
    return model(id);
  }

  private ModelsResponse.Model model(String name) {
    ModelState state = catalog.state(name);
    List<SubnetDescription> subnets =
        state == ModelState.READY ? catalog.require(name).describe() : List.of();
    return new ModelsResponse.Model(name, "model", startedAt, "flexserve", state.name(), subnets);
  }
}
