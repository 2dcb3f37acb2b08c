package io.flexserve.server.api;

import io.flexserve.models.encoder.EncoderManifest;
import io.flexserve.models.llm.DecoderManifest;
import io.flexserve.models.vision.VisionManifest;
import io.flexserve.router.SubnetProfile;
import io.flexserve.router.generation.DecoderProfile;
import io.flexserve.server.catalog.ModelCatalog;
import io.flexserve.server.catalog.ModelState;
import io.flexserve.server.catalog.ServedDecoder;
import io.flexserve.server.catalog.ServedEncoder;
import io.flexserve.server.catalog.ServedModel;
import io.flexserve.server.catalog.ServedVision;
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
    List<ModelsResponse.Subnet> subnets =
        state == ModelState.READY ? subnets(catalog.require(name)) : List.of();
    return new ModelsResponse.Model(name, "model", startedAt, "flexserve", state.name(), subnets);
  }

  private static List<ModelsResponse.Subnet> subnets(ServedModel model) {
    if (model instanceof ServedVision v) {
      return visionVariants(v);
    }
    return model instanceof ServedEncoder e
        ? encoderSubnets(e)
        : decoderSubnets((ServedDecoder) model);
  }

  private static List<ModelsResponse.Subnet> decoderSubnets(ServedDecoder model) {
    List<ModelsResponse.Subnet> out = new ArrayList<>();
    for (DecoderProfile p : model.menu()) {
      DecoderManifest.Subnet s =
          model.decoder().subnets().stream()
              .filter(x -> x.name().equals(p.name()))
              .findFirst()
              .orElseThrow();
      List<ModelsResponse.LayerShape> shapes =
          s.layers().stream()
              .map(l -> new ModelsResponse.LayerShape(l.index(), l.kvGroups(), l.mlpWidth()))
              .toList();
      out.add(
          new ModelsResponse.Subnet(
              p.name(),
              s.layers().stream().map(l -> l.index()).toList(),
              null,
              null,
              null,
              null,
              null,
              shapes,
              round(s.perplexity()),
              round(p.prefillMsPerToken()),
              round(p.decodeMs()),
              s.precision(),
              s.eoraRank()));
    }
    return out;
  }

  private static double round(double v) {
    return Math.round(v * 1e4) / 1e4;
  }

  private static List<ModelsResponse.Subnet> encoderSubnets(ServedEncoder model) {
    List<ModelsResponse.Subnet> out = new ArrayList<>();
    for (SubnetProfile p : model.menu().bestFirst()) {
      EncoderManifest.Subnet s =
          model.encoder().subnets().stream()
              .filter(x -> x.name().equals(p.name()))
              .findFirst()
              .orElseThrow();
      List<ModelsResponse.LatencyPoint> latency =
          p.latency().points().stream()
              .map(
                  pt ->
                      new ModelsResponse.LatencyPoint(
                          pt.tokens(), Math.round(pt.millis() * 1000) / 1000.0))
              .toList();
      out.add(
          new ModelsResponse.Subnet(
              p.name(),
              s.layers(),
              s.heads(),
              s.mlpWidth(),
              round(p.relativeSize()),
              round(p.quality()),
              latency));
    }
    return out;
  }

  /**
   * One entry per (sub-network, resolution) variant, named {@code <subnet>@<resolution>}; latency
   * points by images.
   */
  private static List<ModelsResponse.Subnet> visionVariants(ServedVision model) {
    List<ModelsResponse.Subnet> out = new ArrayList<>();
    for (SubnetProfile p : model.menu().bestFirst()) {
      VisionManifest.Variant v =
          model.vision().variants().stream()
              .filter(x -> x.name().equals(p.name()))
              .findFirst()
              .orElseThrow();
      VisionManifest.Subnet s =
          model.vision().subnet(v.subnet()).orElse(null); // null: a fixed ONNX export
      List<ModelsResponse.LatencyPoint> latency =
          p.latency().points().stream()
              .map(
                  pt ->
                      new ModelsResponse.LatencyPoint(
                          pt.tokens(), Math.round(pt.millis() * 1000) / 1000.0))
              .toList();
      out.add(
          new ModelsResponse.Subnet(
              p.name(),
              s == null ? null : s.layers(),
              s == null ? null : s.heads(),
              s == null ? null : s.mlpWidth(),
              round(p.relativeSize()),
              round(p.quality()),
              latency));
    }
    return out;
  }
}
