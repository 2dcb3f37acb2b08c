package io.flexserve.server.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A test model repository under {@code target/} whose models are symbolic links to bundles
 * converted elsewhere.
 */
public final class LinkedRepository {
  private LinkedRepository() {}

  /**
   * {@code target/<name>}, holding one link per entry of {@code bundles} (model name → bundle
   * directory).
   */
  public static Path of(String name, Map<String, Path> bundles) throws IOException {
    Path repo = Path.of("target", name).toAbsolutePath();
    Files.createDirectories(repo);
    for (Map.Entry<String, Path> b : bundles.entrySet()) {
      Path link = repo.resolve(b.getKey());
      if (!Files.exists(link)) {
        Files.createSymbolicLink(link, b.getValue());
      }
    }
    return repo;
  }

  /**
   * {@code target/<name>} with a model of each kind: the encoder {@link ServerHarness#MODEL}, the
   * decoder {@code TinyStoriesRepository.MODEL} and the vision backbone {@code
   * VisionRepository.MODEL}.
   */
  public static Path everyKind(String name) throws Exception {
    String decoder = io.flexserve.server.generation.TinyStoriesRepository.MODEL;
    String vision = io.flexserve.server.vision.VisionRepository.MODEL;
    return of(
        name,
        Map.of(
            decoder,
            io.flexserve.server.generation.TinyStoriesRepository.ensure().resolve(decoder),
            vision,
            io.flexserve.server.vision.VisionRepository.ensure().resolve(vision),
            ServerHarness.MODEL,
            io.flexserve.models.encoder.MiniLmDefault.ensureBundle(
                    Path.of("target/test-cache"),
                    io.flexserve.models.runtime.SessionConfig.cpu(1),
                    (s, d, t) -> {})
                .toAbsolutePath()));
  }
}
