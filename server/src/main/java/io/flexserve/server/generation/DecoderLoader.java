package io.flexserve.server.generation;

import ai.onnxruntime.OrtException;
import io.flexserve.models.llm.DecoderManifest;
import io.flexserve.models.llm.DecoderSession;
import io.flexserve.models.llm.DecoderTimer;
import io.flexserve.models.llm.ElasticDecoder;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.router.generation.DecoderProfile;
import io.flexserve.server.catalog.ModelLoader;
import io.flexserve.server.config.FlexserveConfig;
import io.flexserve.server.metrics.ServerMetrics;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads an elastic decoder bundle for serving and measures, on this machine and with the server's
 * thread settings, what the generation router needs: prefill cost per token, one decode step alone,
 * and what each further row in a batch adds. (The manifest's figures were measured at conversion,
 * possibly elsewhere.)
 */
@Singleton
public final class DecoderLoader implements ModelLoader {
  private static final Logger LOG = LoggerFactory.getLogger(DecoderLoader.class);
  private static final int CONTEXT = 32;
  private static final int BATCH = 4;

  private final FlexserveConfig config;
  private final ServerMetrics metrics;

  public DecoderLoader(FlexserveConfig config, ServerMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
  }

  @Override
  public boolean reads(String format) {
    return DecoderManifest.FORMAT.equals(format);
  }

  @Override
  public ServedDecoder load(String name, Path bundle, SessionConfig sessions)
      throws IOException, OrtException {
    List<String> precisions = config.precisionList();
    DecoderManifest manifest = DecoderManifest.read(bundle);
    java.util.Set<String> wanted =
        manifest.subnets().stream()
            .filter(s -> precisions.isEmpty() || precisions.contains(s.precision()))
            .map(DecoderManifest.Subnet::name)
            .collect(java.util.stream.Collectors.toSet());
    if (wanted.isEmpty()) {
      throw new IllegalArgumentException(
          "no menu entry of "
              + name
              + " is in flexserve.precisions "
              + precisions
              + "; it has "
              + manifest.subnets().stream()
                  .map(DecoderManifest.Subnet::precision)
                  .distinct()
                  .toList());
    }
    ElasticDecoder decoder = ElasticDecoder.load(bundle, sessions, wanted::contains);
    try {
      List<DecoderProfile> menu = new ArrayList<>();
      for (DecoderManifest.Subnet s : decoder.subnets()) {
        DecoderProfile p = profile(decoder.session(s.name()), s.perplexity());
        menu.add(p);
        metrics.predictedLatency.labels(name, s.name()).set(p.decodeMs() / 1000);
        LOG.info(
            "{} / {}: perplexity {}, prefill {} ms/token, decode {} ms/step + {} ms per extra row",
            name,
            s.name(),
            String.format("%.3f", s.perplexity()),
            String.format("%.3f", p.prefillMsPerToken()),
            String.format("%.3f", p.decodeMs()),
            String.format("%.3f", p.decodeMsPerExtraRow()));
      }
      GenerationScheduler scheduler =
          new GenerationScheduler(
              name,
              decoder,
              menu,
              config.maxRunningGenerations(),
              config.queueCapacity(),
              config.prefixCacheBytes(),
              metrics,
              config.inferenceNice());
      return new ServedDecoder(name, decoder, menu, scheduler, ChatTemplate.forBundle(bundle));
    } catch (IOException | OrtException | RuntimeException e) {
      decoder.close();
      throw e;
    }
  }

  private static DecoderProfile profile(DecoderSession session, double perplexity)
      throws OrtException {
    double prefill = DecoderTimer.prefillMillis(session, CONTEXT, 5) / CONTEXT;
    double single = DecoderTimer.decodeMillis(session, CONTEXT, 20);
    double batched = DecoderTimer.batchDecodeMillis(session, BATCH, CONTEXT, 9);
    return new DecoderProfile(
        session.subnet().name(),
        prefill,
        single,
        Math.max(0, (batched - single) / (BATCH - 1)),
        perplexity);
  }
}
