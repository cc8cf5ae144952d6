package io.delegatebroker.broker.interop;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Installs the pinned client libraries into the build directory ({@code target/interop/}) with the ordinary package
 * clients, once per pin (a marker file holds the pin it installed), and starts their driver scripts from
 * {@code src/test/interop/}. Anything missing (no {@code python3}, {@code pip}, {@code node}, {@code npm}, no registry)
 * fails the test with the installer's output: the suite never skips.
 */
final class InteropClients {

  private static final Path SOURCES = Path.of("src", "test", "interop").toAbsolutePath();
  private static final Path INSTALL = Path.of("target", "interop").toAbsolutePath();

  private InteropClients() {
  }

  /** Python's {@code websockets}, pinned in {@code python/requirements.txt}. */
  static InteropClient python() {
    Path requirements = SOURCES.resolve("python/requirements.txt");
    Path target = INSTALL.resolve("python");
    installOnce(requirements, target, List.of("python3", "-m", "pip", "install", "--disable-pip-version-check",
        "--no-input", "--quiet", "--target", target.toString(), "-r", requirements.toString()));
    return started("python websockets", List.of("python3", "-u", SOURCES.resolve("python/interop_client.py").toString()),
        Map.of("PYTHONPATH", target.toString(), "PYTHONDONTWRITEBYTECODE", "1"));
  }

  /** Node's {@code ws}, pinned in {@code node/package.json}. */
  static InteropClient node() {
    Path manifest = SOURCES.resolve("node/package.json");
    Path target = INSTALL.resolve("node");
    installOnce(manifest, target, List.of("npm", "install", "--no-audit", "--no-fund", "--no-package-lock",
        "--loglevel=error", "--prefix", target.toString()));
    return started("node ws", List.of("node", SOURCES.resolve("node/interop_client.js").toString()),
        Map.of("NODE_PATH", target.resolve("node_modules").toString()));
  }

  private static InteropClient started(String name, List<String> command, Map<String, String> env) {
    ScriptClient client = new ScriptClient(name, true, command, env);
    client.command(new JsonObject().put("op", "version"));
    JsonObject version = client.expect("", "version", 30);
    client.name(version.getString("library") + " " + version.getString("version"));
    return client;
  }

  /**
   * Installs from the pin file unless {@code target} holds a marker with the same pin; the manifest is copied into
   * {@code target} first (npm installs what the {@code package.json} of its prefix names).
   */
  private static synchronized void installOnce(Path pin, Path target, List<String> command) {
    try {
      String wanted = Files.readString(pin);
      Path marker = target.resolve(".installed");
      if (Files.exists(marker) && Files.readString(marker).equals(wanted)) {
        return;
      }
      deleteTree(target);
      Files.createDirectories(target);
      if (pin.getFileName().toString().equals("package.json")) {
        Files.copy(pin, target.resolve("package.json"));
      }
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      // Debian's Python refuses pip installs outside a virtual environment even with --target; this is the build dir.
      pb.environment().put("PIP_BREAK_SYSTEM_PACKAGES", "1");
      Process p = pb.start();
      p.getOutputStream().close();
      byte[] output = p.getInputStream().readAllBytes();
      if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new AssertionError("cannot install the interop client (" + String.join(" ", command) + "):\n"
            + new String(output, StandardCharsets.UTF_8));
      }
      Files.writeString(marker, wanted);
    } catch (IOException e) {
      throw new AssertionError("cannot install the interop client (" + String.join(" ", command) + "): " + e, e);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
