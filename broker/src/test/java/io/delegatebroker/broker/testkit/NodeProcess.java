package io.delegatebroker.broker.testkit;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A broker node as a separate {@code java -jar broker.jar} process, for tests that kill it ({@code kill -9}), pause
 * it ({@code kill -STOP}/{@code -CONT}) or stop it with SIGTERM, as an operator's system would.
 */
public final class NodeProcess implements AutoCloseable {

  private final Process process;
  private final Map<String, String> env;
  private final Path log;
  private final String host;

  private NodeProcess(Process process, Map<String, String> env, Path log, String host) {
    this.process = process;
    this.env = env;
    this.log = log;
    this.host = host;
  }

  public static Path jar() {
    String jar = System.getProperty("broker.jar", "target/broker.jar");
    if (!new File(jar).isFile()) {
      throw new IllegalStateException("broker.jar not built at " + jar + " (run through mvn verify)");
    }
    return Path.of(jar);
  }

  /** Starts the process without waiting. */
  public static NodeProcess launch(Map<String, String> env) {
    return launch(List.of(), "127.0.0.1", env);
  }

  /**
   * Starts the process inside a network namespace ({@code ip netns exec}, which execs the JVM itself, so signals reach
   * it); {@code host} is where the test reaches its ports.
   */
  public static NodeProcess launchIn(String netns, String host, Map<String, String> env) {
    return launch(List.of("ip", "netns", "exec", netns), host, env);
  }

  private static NodeProcess launch(List<String> prefix, String host, Map<String, String> env) {
    try {
      Path log = Files.createTempFile("broker-node-", ".log");
      List<String> cmd = new ArrayList<>(prefix);
      cmd.addAll(List.of("java", "-Xmx256m", "-XX:+UseSerialGC", "-jar", jar().toAbsolutePath().toString()));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("BROKER_"));
      pb.environment().putAll(env);
      return new NodeProcess(pb.start(), env, log, host);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Starts the process and waits until it answers ready. */
  public static NodeProcess start(Map<String, String> env) {
    NodeProcess p = launch(env);
    p.awaitReady(Duration.ofSeconds(90));
    return p;
  }

  /** Where the test reaches the node's ports. */
  public String host() {
    return host;
  }

  public int adminPort() {
    return Integer.parseInt(env.get("BROKER_ADMIN_PORT"));
  }

  public int delegatePort() {
    return Integer.parseInt(env.get("BROKER_DELEGATE_PORT"));
  }

  public String nodeId() {
    return env.get("BROKER_NODE_ID");
  }

  public long pid() {
    return process.pid();
  }

  /** Polls /health/ready until 200, failing with the process output if it exits or the time runs out. */
  public void awaitReady(Duration timeout) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("node exited with " + process.exitValue() + ":\n" + output());
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + adminPort() + "/health/ready"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      try {
        process.waitFor(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    throw new IllegalStateException("node not ready in " + timeout + ":\n" + output());
  }

  /** Sends a signal by name (STOP, CONT, KILL, TERM). */
  public void signal(String name) {
    try {
      int rc = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
      if (rc != 0) {
        throw new IllegalStateException("kill -" + name + " failed");
      }
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for the process to exit and returns its code. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("node did not exit in " + timeout + ":\n" + output());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public boolean alive() {
    return process.isAlive();
  }

  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      signal("CONT");
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
