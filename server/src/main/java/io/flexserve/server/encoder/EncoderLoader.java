package io.flexserve.server.encoder;

import io.flexserve.models.encoder.ElasticEncoder;
import io.flexserve.models.encoder.EncoderManifest;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.router.ModelMenu;
import io.flexserve.router.SubnetProfile;
import io.flexserve.router.batch.BatchLimits;
import io.flexserve.router.batch.BatchPolicies;
import io.flexserve.server.catalog.ModelLoader;
import io.flexserve.server.config.FlexserveConfig;
import io.flexserve.server.metrics.ServerMetrics;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads an elastic encoder bundle: every sub-network's session, its latency measured on this
 * machine ({@link EncoderProfiler}), and the scheduler that batches embedding requests.
 */
@Singleton
public final class EncoderLoader implements ModelLoader {
  private static final Logger LOG = LoggerFactory.getLogger(EncoderLoader.class);

  private final FlexserveConfig config;
  private final ServerMetrics metrics;

  public EncoderLoader(FlexserveConfig config, ServerMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
  }

  @Override
  public boolean reads(String format) {
    return EncoderManifest.FORMAT.equals(format);
  }

  @Override
  public ServedEncoder load(String name, Path bundle, SessionConfig sessions) throws Exception {
    ElasticEncoder encoder = ElasticEncoder.load(bundle, sessions, s -> true);
    try {
      ModelMenu menu = EncoderProfiler.profile(encoder, config.profileRepeats());
      for (SubnetProfile p : menu.bestFirst()) {
        metrics.predictedLatency.labels(name, p.name()).set(p.predictMillis(128) / 1000);
        LOG.info(
            "{} / {}: quality {} size {} latency@128 tokens {} ms",
            name,
            p.name(),
            String.format("%.4f", p.quality()),
            String.format("%.3f", p.relativeSize()),
            String.format("%.2f", p.predictMillis(128)));
      }
      EncoderScheduler scheduler =
          new EncoderScheduler(
              name,
              encoder,
              menu,
              BatchPolicies.byName(config.routingPolicy()),
              new BatchLimits(config.batchMaxInputs(), config.batchMaxTokens()),
              config.workers(),
              config.inferenceNice(),
              config.queueCapacity(),
              config.responseMarginMs(),
              config.overloadHoldMs(),
              metrics);
      return new ServedEncoder(name, encoder, menu, scheduler);
    } catch (Exception | LinkageError e) {
      encoder.close();
      throw e;
    }
  }
}
