package io.delegatebroker.broker.interop;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A client library driven through a script of its language: commands on its stdin, events on its stdout. */
final class ScriptClient extends InteropClient {

  private volatile String library;
  private final boolean compression;
  private final Process process;
  private final OutputStream stdin;
  private final ArrayDeque<String> stderr = new ArrayDeque<>();

  ScriptClient(String library, boolean compression, List<String> command, Map<String, String> env) {
    this.library = library;
    this.compression = compression;
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new AssertionError(library + ": cannot start " + command + ": " + e.getMessage(), e);
    }
    stdin = process.getOutputStream();
    Thread out = new Thread(() -> read(new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8)), true), library + "-stdout");
    Thread err = new Thread(() -> read(new BufferedReader(new InputStreamReader(process.getErrorStream(),
        StandardCharsets.UTF_8)), false), library + "-stderr");
    out.setDaemon(true);
    err.setDaemon(true);
    out.start();
    err.start();
  }

  private void read(BufferedReader reader, boolean events) {
    try {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (events && line.startsWith("{")) {
          event(new JsonObject(line));
        } else {
          synchronized (stderr) {
            stderr.add(line);
            if (stderr.size() > 40) {
              stderr.poll();
            }
          }
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  /** Names the client after the library and version it reported. */
  void name(String libraryAndVersion) {
    library = libraryAndVersion;
  }

  @Override
  String library() {
    return library;
  }

  @Override
  boolean offersCompression() {
    return compression;
  }

  @Override
  synchronized void command(JsonObject command) {
    try {
      stdin.write((command.encode() + "\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush();
    } catch (IOException e) {
      throw new AssertionError(library + ": the client script is gone" + diagnostics(), e);
    }
  }

  @Override
  String diagnostics() {
    synchronized (stderr) {
      return stderr.isEmpty() ? "" : "\n" + library + " stderr:\n" + String.join("\n", stderr);
    }
  }

  @Override
  public void close() {
    try {
      command(new JsonObject().put("op", "exit"));
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (AssertionError | InterruptedException e) {
      process.destroyForcibly();
    }
  }
}
