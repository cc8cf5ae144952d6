package io.delegatebroker.broker.operating;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;

/** The Kubernetes manifests of {@code deploy/kubernetes}, parsed, with look-ups into their nested maps. */
final class Manifests {

  static final String DIR = "deploy/kubernetes";

  /** One document of one file. */
  record Doc(String file, Map<String, Object> tree) {
    String kind() {
      return (String) tree.get("kind");
    }

    String name() {
      return (String) map(tree, "metadata").get("name");
    }
  }

  private final List<Doc> docs = new ArrayList<>();

  Manifests() {
    try (Stream<Path> files = Files.list(RepoFiles.path(DIR))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        for (Object o : new Yaml().loadAll(Files.readString(f))) {
          if (o != null) {
            docs.add(new Doc(f.getFileName().toString(), cast(o)));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  List<Doc> all() {
    return List.copyOf(docs);
  }

  List<Doc> ofKind(String kind) {
    return docs.stream().filter(d -> kind.equals(d.kind())).toList();
  }

  /** The only document of that kind; fails unless there is exactly one. */
  Doc one(String kind) {
    List<Doc> found = ofKind(kind);
    if (found.size() != 1) {
      throw new AssertionError("expected one " + kind + ", found " + found.size());
    }
    return found.get(0);
  }

  Doc named(String kind, String name) {
    return ofKind(kind).stream().filter(d -> name.equals(d.name())).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
  }

  /** The nested map at {@code key}; fails when it is missing. */
  static Map<String, Object> map(Map<String, Object> tree, String key) {
    Object v = tree.get(key);
    if (!(v instanceof Map)) {
      throw new AssertionError("no map '" + key + "' in " + tree.keySet());
    }
    return cast(v);
  }

  /** The list at {@code key}, of maps; empty when missing. */
  static List<Map<String, Object>> maps(Map<String, Object> tree, String key) {
    Object v = tree.get(key);
    if (v == null) {
      return List.of();
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object o : (List<?>) v) {
      out.add(cast(o));
    }
    return out;
  }

  /** Follows a path of keys through nested maps. */
  static Map<String, Object> at(Map<String, Object> tree, String... keys) {
    Map<String, Object> m = tree;
    for (String k : keys) {
      m = map(m, k);
    }
    return m;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> cast(Object o) {
    return (Map<String, Object>) o;
  }
}
