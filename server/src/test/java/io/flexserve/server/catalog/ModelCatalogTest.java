package io.flexserve.server.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.server.config.FlexserveConfig;
import io.flexserve.server.serving.ServingException;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog loads every bundle through the loader that reads its manifest's format and knows no
 * kind itself: a new kind is a loader, nothing in the catalog (issue 18).
 */
class ModelCatalogTest {
  @TempDir Path repo;

  /** A kind the catalog has never heard of; its one warm-up request is a small JSON post. */
  record Audio(String name) implements ServedModel {
    @Override
    public List<String> subnetNames() {
      return List.of("full");
    }

    @Override
    public List<WarmupCall> warmupCalls() {
      return List.of(WarmupCall.json("/v1/audio", "{\"input\":\"hi\"}", Map.of(), true));
    }

    @Override
    public List<SubnetDescription> describe() {
      return List.of();
    }

    @Override
    public boolean drain(Duration grace) {
      return true;
    }

    @Override
    public void abandon() {}

    @Override
    public void close() {}
  }

  static final class AudioLoader implements ModelLoader {
    @Override
    public boolean reads(String format) {
      return "audio-bundle".equals(format);
    }

    @Override
    public ServedModel load(String name, Path bundle, SessionConfig sessions) {
      return new Audio(name);
    }
  }

  @Test
  void eachBundleIsLoadedByTheLoaderOfItsFormat_anUnknownFormatFailsWithItsName() throws Exception {
    bundle("speech", "audio-bundle");
    bundle("mystery", "flexserve-hologram");
    try (ApplicationContext context =
        ApplicationContext.run(Map.of("flexserve.model-dir", repo.toString()))) {
      FlexserveConfig config = context.getBean(FlexserveConfig.class);
      DefaultModel none =
          new DefaultModel() {
            @Override
            public String name() {
              return "unused";
            }

            @Override
            public Path ensureBundle(Path cacheDir, SessionConfig sessions) {
              throw new AssertionError("a repository is configured");
            }
          };
      ModelCatalog catalog = new ModelCatalog(config, List.of(new AudioLoader()), none);
      catalog.onApplicationEvent(null);
      for (int i = 0;
          i < 1200 && !catalog.loadingFinished();
          i++) { // up to 30 s on a loaded machine
        Thread.sleep(25);
      }
      assertTrue(catalog.loadingFinished());
      assertEquals(List.of("mystery", "speech"), catalog.names());
      assertInstanceOf(Audio.class, catalog.require("speech"));
      assertEquals(
          "no model kind of this server reads bundle format 'flexserve-hologram'",
          catalog.failures().get("mystery"));
      ServingException wrongKind =
          assertThrows(
              ServingException.WrongModelKind.class,
              () -> catalog.require("speech", Speechless.class, "is not one; use /v1/other"));
      assertEquals("model 'speech' is not one; use /v1/other", wrongKind.getMessage());
    }
  }

  /** Another kind, for the wrong-kind answer. */
  interface Speechless extends ServedModel {}

  private void bundle(String name, String format) throws Exception {
    Path dir = Files.createDirectories(repo.resolve(name));
    Files.writeString(dir.resolve("manifest.json"), "{\"format\":\"" + format + "\"}");
  }
}
