package io.delegatebroker.broker.operating;

import io.delegatebroker.broker.testkit.Ports;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Prometheus (the Debian package's binary) on a free loopback port with its storage in a temporary directory,
 * scraping one target and evaluating one rules file every second. Queried through its HTTP API.
 */
final class PrometheusServer implements AutoCloseable {

  private final Path dir;
  private final Process process;
  private final int port;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private PrometheusServer(Path dir, Process process, int port) {
    this.dir = dir;
    this.process = process;
    this.port = port;
  }

  /** Starts it scraping {@code target} ({@code host:port}, path {@code /metrics}) with the given rules; waits for ready. */
  static PrometheusServer start(String target, Path rules) throws IOException, InterruptedException {
    String binary = Tool.find("prometheus");
    Path dir = Files.createTempDirectory("prometheus-test");
    Files.writeString(dir.resolve("prometheus.yml"), String.join("\n",
        "global: {scrape_interval: 1s, evaluation_interval: 1s, scrape_timeout: 1s}",
        "rule_files: ['" + rules.toAbsolutePath() + "']",
        "scrape_configs:",
        "  - job_name: delegate-broker",
        "    metrics_path: /metrics",
        "    static_configs: [{targets: ['" + target + "']}]", ""));
    int port = Ports.free();
    Process p = new ProcessBuilder(binary, "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    PrometheusServer server = new PrometheusServer(dir, p, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!server.ready()) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        String log = server.log();
        server.close();
        throw new AssertionError("prometheus did not become ready: " + log);
      }
      Thread.sleep(100);
    }
    return server;
  }

  private boolean ready() {
    try {
      return get("/-/ready").statusCode() == 200;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /** The result vector of an instant query (fails unless Prometheus answers {@code success}). */
  JsonArray query(String promql) throws IOException, InterruptedException {
    return data("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).getJsonArray("result");
  }

  /** Active alerts (pending and firing). */
  JsonArray alerts() throws IOException, InterruptedException {
    return data("/api/v1/alerts").getJsonArray("alerts");
  }

  private JsonObject data(String pathAndQuery) throws IOException, InterruptedException {
    HttpResponse<String> r = get(pathAndQuery);
    JsonObject body = new JsonObject(r.body());
    if (r.statusCode() != 200 || !"success".equals(body.getString("status"))) {
      throw new AssertionError("prometheus " + pathAndQuery + " answered " + r.statusCode() + ": " + r.body());
    }
    return body.getJsonObject("data");
  }

  private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  String log() {
    try {
      String log = Files.readString(dir.resolve("prometheus.log"));
      return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException("prometheus did not stop cleanly", e);
    }
  }
}
