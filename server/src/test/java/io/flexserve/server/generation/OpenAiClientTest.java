package io.flexserve.server.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.server.api.ServerHarness;
import io.flexserve.server.catalog.ModelCatalog;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The official OpenAI client library (npm {@code openai}, pinned in {@code
 * scripts/openai-client/package.json}) against the real server on tinystories-260k: completions and
 * chat, streaming and not, and errors as the client's {@code APIError}. Runs {@code
 * scripts/openai-client-check.sh}, which needs node and npm (and the npm registry on the first
 * run); without them the test fails rather than skips, since an untested client contract would pass
 * silently.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiClientTest implements TestPropertyProvider {
  private static final long TIMEOUT_SECONDS = 180; // the first run installs the client with npm ci
  @Inject EmbeddedServer server;
  @Inject ModelCatalog catalog;

  @Override
  public Map<String, String> getProperties() {
    try {
      return Map.of("flexserve.model-dir", TinyStoriesRepository.ensure().toString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void theOfficialOpenAiClientGetsGoldenCompletionsStreamedChatAndApiErrors() throws Exception {
    new ServerHarness(server, catalog); // waits until the model is ready
    Path repo = Path.of("").toAbsolutePath().getParent();
    Path script = repo.resolve("scripts/openai-client-check.sh");
    Path golden = TinyStoriesRepository.shared().resolve("models/tinystories-260k/golden.json");
    assertTrue(Files.isRegularFile(script), "missing " + script);
    // 127.0.0.1 rather than the server's "localhost": node may resolve that to ::1 first
    String url = "http://127.0.0.1:" + server.getPort();
    Path log = Path.of("target/openai-client-check.log").toAbsolutePath();

    Process process =
        new ProcessBuilder(List.of("bash", script.toString(), url, golden.toString()))
            .directory(repo.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean exited = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (!exited) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    System.out.println(output);
    assertTrue(
        exited,
        "scripts/openai-client-check.sh did not finish in " + TIMEOUT_SECONDS + " s:\n" + output);
    assertEquals(
        0,
        process.exitValue(),
        "scripts/openai-client-check.sh failed (it needs node >= 18 and npm; "
            + "see its header):\n"
            + output);
    assertTrue(output.contains("openai-client-check: PASS"), output);
  }
}
