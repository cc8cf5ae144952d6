package io.delegatebroker.delegate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reference delegate as its users run it: {@code java -jar delegate.jar [config file]} in a separate process, with
 * only the environment the test gives it. Its output is kept in a file; {@link #close()} fails the test if any token
 * value the process was given appears in it.
 */
public final class DelegateProcess implements AutoCloseable {

  /** Variables the test machine's own environment must not leak into a delegate. */
  private static final List<String> INHERITED = List.of("ACCOUNT_ID", "ACCOUNT_SECRET", "MANAGER_HOST_AND_PORT",
      "HOSTNAME");

  private final Process process;
  private final Path log;
  private final List<String> secrets;

  private DelegateProcess(Process process, Path log, List<String> secrets) {
    this.process = process;
    this.log = log;
    this.secrets = secrets;
  }

  public static Path jar() {
    String jar = System.getProperty("delegate.jar", "target/delegate.jar");
    if (!new File(jar).isFile()) {
      throw new IllegalStateException("delegate.jar not built at " + jar + " (run through mvn verify)");
    }
    return Path.of(jar).toAbsolutePath();
  }

  /** Environment for a delegate of this account on this port, fast reconnects (base 200 ms, cap 1.6 s). */
  public static Map<String, String> env(String account, String token, String manager, String name, String instance) {
    Map<String, String> env = new HashMap<>();
    env.put("ACCOUNT_ID", account);
    if (token != null) {
      env.put("DELEGATE_TOKEN", token);
    }
    env.put("MANAGER_HOST_AND_PORT", manager);
    env.put("DELEGATE_NAME", name);
    env.put("DELEGATE_INSTANCE", instance);
    env.put("DELEGATE_RECONNECT_BASE_MS", "200");
    env.put("DELEGATE_RECONNECT_MAX_SECONDS", "2");
    return env;
  }

  /**
   * Starts {@code java -jar delegate.jar [args]}.
   *
   * @param secrets values that must never appear in the output (the token(s) it was given)
   */
  public static DelegateProcess start(Map<String, String> env, List<String> secrets, String... args) {
    try {
      Path log = Files.createTempFile("delegate-", ".log");
      List<String> command = new ArrayList<>(List.of("java", "-Xmx64m", "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1", "-jar", jar().toString()));
      command.addAll(List.of(args));
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
          .directory(log.getParent().toFile());
      pb.environment().keySet().removeIf(k -> INHERITED.contains(k) || k.startsWith("DELEGATE_"));
      pb.environment().putAll(env);
      return new DelegateProcess(pb.start(), log, List.copyOf(secrets));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  /** Output lines containing the text. */
  public List<String> lines(String text) {
    return output().lines().filter(l -> l.contains(text)).toList();
  }

  public int count(String text) {
    return lines(text).size();
  }

  /** Waits until the output has at least {@code n} lines containing the text; fails with the output. */
  public void awaitLines(String text, int n, int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (count(text) < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + n + " line(s) '" + text + "' within " + seconds + " s; output:\n" + output());
      }
      if (!process.isAlive() && count(text) < n) {
        throw new AssertionError("delegate exited with " + process.exitValue() + " before '" + text + "':\n"
            + output());
      }
      pause();
    }
  }

  public void awaitLine(String text, int seconds) {
    awaitLines(text, 1, seconds);
  }

  /** Waits until the delegate says it is connected (the {@code welcome} frame arrived) {@code n} times. */
  public void awaitConnected(int n, int seconds) {
    awaitLines("connected to node", n, seconds);
  }

  /** Waits for the process to exit and returns its status. */
  public int awaitExit(int seconds) {
    try {
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        throw new AssertionError("delegate did not exit within " + seconds + " s; output:\n" + output());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Asserts the delegate exits with this status and printed this line (the one a person reads). */
  public void assertExits(int status, String line, int seconds) {
    int actual = awaitExit(seconds);
    assertEquals(status, actual, "exit status; output:\n" + output());
    if (count(line) == 0) {
      throw new AssertionError("no line '" + line + "' in:\n" + output());
    }
  }

  /** SIGTERM, as an orchestrator stops a container. */
  public void terminate() {
    process.destroy();
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** The delays of every "next attempt in N ms" line, in order. */
  public List<Long> retryDelays() {
    List<Long> delays = new ArrayList<>();
    Matcher m = Pattern.compile("next attempt in (\\d+) ms").matcher(output());
    while (m.find()) {
      delays.add(Long.parseLong(m.group(1)));
    }
    return delays;
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    String out = output();
    for (String secret : secrets) {
      if (secret != null && out.contains(secret)) {
        throw new AssertionError("a token value appears in the delegate's output:\n" + out);
      }
    }
  }

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
