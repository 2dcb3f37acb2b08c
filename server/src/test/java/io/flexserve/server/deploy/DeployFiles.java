package io.flexserve.server.deploy;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads the deployment files under the repository's {@code docker/} folder for the deploy tests:
 * YAML documents as plain maps and lists (snakeyaml, safe constructor), and a small path syntax to
 * reach into them.
 */
final class DeployFiles {
  /** One YAML document of a file, with the file it came from for messages. */
  record Doc(Path file, Map<String, Object> root) {
    String kind() {
      return (String) root.get("kind");
    }

    String name() {
      return str(root, "metadata.name");
    }

    @Override
    public String toString() {
      return DOCKER.getParent().relativize(file) + " " + kind() + "/" + name();
    }
  }

  /** The repository's docker/ folder; tests run with the module (server/) as working directory. */
  static final Path DOCKER = locateDocker();

  private DeployFiles() {}

  private static Path locateDocker() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("docker/k8s"))) {
        return p.resolve("docker");
      }
    }
    throw new IllegalStateException("no docker/k8s folder above " + dir);
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Path> files(Path dir, String... suffixes) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .filter(f -> Stream.of(suffixes).anyMatch(x -> f.getFileName().toString().endsWith(x)))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every non-empty document of a YAML file; fails the test when one is not a mapping. */
  @SuppressWarnings("unchecked")
  static List<Doc> yaml(Path file) {
    List<Doc> docs = new ArrayList<>();
    for (Object o : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(read(file))) {
      if (o == null) {
        continue;
      }
      assertTrue(o instanceof Map, file + ": a document is not a mapping");
      docs.add(new Doc(file, (Map<String, Object>) o));
    }
    return docs;
  }

  /** The only document of a YAML file. */
  static Map<String, Object> yamlOne(Path file) {
    List<Doc> docs = yaml(file);
    assertTrue(docs.size() == 1, file + ": expected one document, found " + docs.size());
    return docs.get(0).root();
  }

  static List<Doc> kubernetesObjects() {
    return files(DOCKER.resolve("k8s"), ".yaml", ".yml").stream()
        .flatMap(f -> yaml(f).stream())
        .toList();
  }

  /**
   * The value at {@code path} below {@code root}: keys separated by dots, list elements as {@code
   * [i]}, e.g. {@code spec.template.spec.containers[0].image}. Null when any step is missing.
   */
  static Object at(Object root, String path) {
    Object cur = root;
    for (String part : path.split("\\.")) {
      String key = part;
      Integer index = null;
      int b = part.indexOf('[');
      if (b >= 0) {
        key = part.substring(0, b);
        index = Integer.parseInt(part.substring(b + 1, part.length() - 1));
      }
      if (!key.isEmpty()) {
        if (!(cur instanceof Map<?, ?> m)) {
          return null;
        }
        cur = m.get(key);
      }
      if (index != null) {
        if (!(cur instanceof List<?> l) || index >= l.size()) {
          return null;
        }
        cur = l.get(index);
      }
    }
    return cur;
  }

  static String str(Object root, String path) {
    Object v = at(root, path);
    return v == null ? null : String.valueOf(v);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object root, String path) {
    Object v = at(root, path);
    assertNotNull(v, "missing " + path);
    assertTrue(v instanceof Map, path + " is not a mapping");
    return (Map<String, Object>) v;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object root, String path) {
    Object v = at(root, path);
    assertNotNull(v, "missing " + path);
    assertTrue(v instanceof List, path + " is not a list");
    return (List<Object>) v;
  }

  static Doc only(List<Doc> docs, String kind) {
    List<Doc> found = docs.stream().filter(d -> kind.equals(d.kind())).toList();
    if (found.size() != 1) {
      fail("expected one " + kind + ", found " + found);
    }
    return found.get(0);
  }
}
