package io.flexserve.server.catalog;

import io.flexserve.models.BundleFormat;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.server.config.FlexserveConfig;
import io.flexserve.server.security.ApiKeys;
import io.flexserve.server.serving.ServingException;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The served models and their states. Loading starts when the HTTP server is up, on one background
 * thread, so liveness answers at once and readiness turns true when every model has loaded (or
 * failed) and the request path has been warmed ({@link RequestPathWarmup}). A model that fails to
 * load is reported with its reason; the others serve.
 *
 * <p>The catalog knows no model kind: each kind's {@link ModelLoader} says which bundle formats it
 * reads, and the {@link DefaultModel} bean names what to serve without a repository.
 *
 * <p>Threading: {@code states}, {@code reasons} and {@code ready} are concurrent maps written by
 * the loader thread and read by request threads; a model appears in {@code ready} only once fully
 * built.
 */
@Singleton
public final class ModelCatalog implements ApplicationEventListener<ServerStartupEvent> {
  private static final Logger LOG = LoggerFactory.getLogger(ModelCatalog.class);

  private final FlexserveConfig config;
  private final List<ModelLoader> loaders;
  private final DefaultModel defaultModel;
  private final Map<String, ModelState> states = new ConcurrentHashMap<>();
  private final Map<String, String> reasons = new ConcurrentHashMap<>();
  private final Map<String, ServedModel> ready = new ConcurrentHashMap<>();
  private volatile boolean loadingDone;
  private volatile boolean warmedUp;
  private volatile java.net.URI ownAddress;
  private volatile RequestPathWarmup.Report lastWarmup;
  private volatile boolean draining;

  public ModelCatalog(
      FlexserveConfig config, List<ModelLoader> loaders, DefaultModel defaultModel) {
    this.config = config;
    this.loaders = List.copyOf(loaders);
    this.defaultModel = defaultModel;
  }

  @Override
  public void onApplicationEvent(ServerStartupEvent event) {
    ownAddress = event == null ? null : event.getSource().getURI(); // null: a test's own start
    List<Path> bundles;
    try {
      bundles = repositoryBundles();
    } catch (IOException e) {
      LOG.error("cannot read model repository {}: {}", config.modelDir(), e.toString());
      loadingDone = true;
      warmedUp = true;
      return;
    }
    if (bundles.isEmpty()) {
      LOG.info(
          "no model repository configured (FLEXSERVE_MODEL_DIR): serving the embedded default model {}",
          defaultModel.name());
      states.put(defaultModel.name(), ModelState.LOADING);
    } else {
      LOG.info(
          "model repository {}: {} model(s): {}",
          Path.of(config.modelDir()).toAbsolutePath(),
          bundles.size(),
          bundles.stream().map(b -> b.getFileName().toString()).toList());
      for (Path b : bundles) {
        states.put(b.getFileName().toString(), ModelState.LOADING);
      }
    }
    Thread loader = new Thread(() -> loadAll(bundles), "flexserve-model-loader");
    loader.setDaemon(true);
    loader.start();
  }

  /**
   * Bundles in the repository: sub-directories holding a manifest. Empty when no repository is
   * configured.
   */
  private List<Path> repositoryBundles() throws IOException {
    if (config.modelDir().isBlank()) {
      return List.of();
    }
    Path repo = Path.of(config.modelDir());
    if (!Files.isDirectory(repo)) {
      throw new IOException("FLEXSERVE_MODEL_DIR " + repo + " is not a directory");
    }
    // Every bundle kind names their manifest manifest.json; its "format" field tells them apart at
    // load.
    return ModelDirectory.bundles(repo);
  }

  private void loadAll(List<Path> bundles) {
    SessionConfig sessions =
        new SessionConfig(config.effectiveIntraOpThreads(), config.device(), config.spinning());
    if (bundles.isEmpty()) {
      load(
          defaultModel.name(),
          () -> defaultModel.ensureBundle(config.cachePath(), sessions),
          sessions);
    } else {
      for (Path b : bundles) {
        load(b.getFileName().toString(), () -> b, sessions);
      }
    }
    loadingDone = true;
    try {
      warmUp();
    } finally {
      warmedUp = true;
    }
  }

  /** Runs {@link RequestPathWarmup} over the ready models for {@code flexserve.warmup-seconds}. */
  private void warmUp() {
    if (!(config.warmupSeconds() > 0) || ownAddress == null || ready.isEmpty() || draining) {
      return;
    }
    Duration budget = Duration.ofMillis(Math.round(config.warmupSeconds() * 1000));
    LOG.info("warming the request path for {} s before reporting ready", config.warmupSeconds());
    try {
      RequestPathWarmup.Report report =
          RequestPathWarmup.run(
              ownAddress,
              readyModels(),
              budget,
              ApiKeys.first(config.apiKeys(), config.apiKeysFile()),
              () -> draining);
      lastWarmup = report;
      LOG.info(
          "warm-up: {} requests in {} ms; answers by status {}; answered by model {}",
          report.sent(),
          report.took().toMillis(),
          report.statuses(),
          report.answeredByModel());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // The warm-up only speeds up what follows: a failure of its own must not keep the server
      // unready.
      LOG.warn("warm-up failed; serving without it", e);
    }
  }

  private interface BundleSource {
    Path bundle() throws Exception;
  }

  private void load(String name, BundleSource source, SessionConfig sessions) {
    long start = System.nanoTime();
    Path bundle = null;
    LOG.info("loading model {}", name);
    try {
      bundle = source.bundle();
      // Every bundle kind names its manifest manifest.json; its "format" field says which loader
      // reads it.
      ServedModel served = loaderOf(BundleFormat.of(bundle)).load(name, bundle, sessions);
      ready.put(name, served);
      states.put(name, ModelState.READY);
      LOG.info("model {} ready in {} ms", name, (System.nanoTime() - start) / 1_000_000);
    } catch (Exception | LinkageError e) {
      reasons.put(name, LoadFailure.publicReason(name, bundle, e));
      states.put(name, ModelState.FAILED);
      // the first line names the model, its folder and the reason a client sees; the trace follows
      // for the operator
      LOG.error("model {} failed to load from {}: {}", name, bundle, reasons.get(name), e);
    }
  }

  private ModelLoader loaderOf(String format) {
    for (ModelLoader loader : loaders) {
      if (loader.reads(format)) {
        return loader;
      }
    }
    throw new IllegalArgumentException(
        format == null
            ? "manifest.json has no format field"
            : "no model kind of this server reads bundle format '" + format + "'");
  }

  /**
   * The ready model called {@code name}.
   *
   * @throws ServingException.NotFound when no such model exists
   * @throws ServingException.NotReady when it is loading or failed to load
   */
  public ServedModel require(String name) {
    if (draining) {
      throw new ServingException.NotReady(
          "shutting_down", "the server is shutting down; send requests to another replica");
    }
    ServedModel model = ready.get(name);
    if (model != null) {
      return model;
    }
    ModelState state = states.get(name);
    if (state == null) {
      throw new ServingException.ModelNotFound(
          "model '" + name + "' does not exist; served models: " + names());
    }
    if (state == ModelState.FAILED) {
      throw new ServingException.NotReady(
          "model_failed", "model '" + name + "' failed to load: " + reasons.get(name));
    }
    throw new ServingException.NotReady("model_loading", "model '" + name + "' is still loading");
  }

  /**
   * The ready model {@code name}, of the kind an endpoint serves.
   *
   * @param wrongKind what the client is told when the model is of another kind (400): the endpoints
   *     that serve it
   * @throws ServingException.WrongModelKind when it is of another kind
   */
  public <T extends ServedModel> T require(String name, Class<T> kind, String wrongKind) {
    ServedModel model = require(name);
    if (kind.isInstance(model)) {
      return kind.cast(model);
    }
    throw new ServingException.WrongModelKind("model '" + name + "' " + wrongKind);
  }

  /**
   * The model a request without a {@code model} field means: the only one, when exactly one is
   * served.
   */
  public String defaultModelName() {
    List<String> all = names();
    if (all.size() != 1) {
      throw new ServingException.ModelNotNamed(
          "'model' is required when several models are served: " + all);
    }
    return all.get(0);
  }

  /** Every known model name, sorted. */
  public List<String> names() {
    List<String> all = new ArrayList<>(states.keySet());
    all.sort(null);
    return all;
  }

  public ModelState state(String name) {
    return states.get(name);
  }

  public List<ServedModel> readyModels() {
    return names().stream().map(ready::get).filter(java.util.Objects::nonNull).toList();
  }

  /** What the last warm-up sent, if one ran (for tests and diagnostics). */
  java.util.Optional<RequestPathWarmup.Report> lastWarmup() {
    return java.util.Optional.ofNullable(lastWarmup);
  }

  /** Whether every model of the repository has been tried (loaded or failed). */
  public boolean loadingFinished() {
    return loadingDone;
  }

  /**
   * Ready when loading and the warm-up ({@link RequestPathWarmup}) have finished, at least one
   * model serves, no model failed (unless {@code flexserve.ready-with-failed-models}), and shutdown
   * has not begun (KServe readiness).
   */
  public boolean serverReady() {
    return loadingDone
        && warmedUp
        && !ready.isEmpty()
        && !draining
        && (config.readyWithFailedModels() || failures().isEmpty());
  }

  /** Models that failed to load, with the reason a client may read, by name. */
  public java.util.SortedMap<String, String> failures() {
    java.util.SortedMap<String, String> out = new java.util.TreeMap<>();
    states.forEach(
        (name, state) -> {
          if (state == ModelState.FAILED) {
            out.put(name, reasons.getOrDefault(name, "failed to load"));
          }
        });
    return out;
  }

  /** Whether shutdown has begun: readiness is false and new requests get 503. */
  public boolean draining() {
    return draining;
  }

  /**
   * Begins a graceful shutdown: from now on readiness is false and new requests get 503, then waits
   * up to {@code grace} for every model's queued and running requests to finish.
   *
   * @return whether everything finished in time
   */
  public boolean drain(java.time.Duration grace) throws InterruptedException {
    draining = true;
    long deadline = System.nanoTime() + grace.toNanos();
    boolean finished = true;
    for (ServedModel m : ready.values()) {
      java.time.Duration left =
          java.time.Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
      finished &= m.drain(left);
    }
    return finished;
  }

  /**
   * After {@link #drain} ran out of time: every model answers what is left 503 (see {@link
   * ServedModel#abandon}).
   */
  public void abandon() {
    draining = true;
    for (ServedModel m : ready.values()) {
      m.abandon();
    }
  }

  @PreDestroy
  void close() {
    // After a graceful shutdown everything has drained or been abandoned: only runs in flight
    // remain, briefly.
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(draining ? 1 : 30).toNanos();
    for (ServedModel m : ready.values()) {
      try {
        if (!m.drain(java.time.Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
          // Runs still in flight: leave the sessions to process exit rather than free memory under
          // them.
          LOG.warn("{}: inference still running at shutdown; not closing its sessions", m.name());
          continue;
        }
        m.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        LOG.warn("closing {}: {}", m.name(), e.toString());
      }
    }
  }
}
