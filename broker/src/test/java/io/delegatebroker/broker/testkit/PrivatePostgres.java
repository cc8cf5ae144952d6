package io.delegatebroker.broker.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the test's own, which it may stop and start: a fresh cluster in a temporary directory on a
 * free loopback port (never the shared server). When the tests run as root the server runs as the {@code postgres}
 * OS user (PostgreSQL refuses to run as root). A shutdown hook stops it if the JVM ends without {@link #close()}.
 */
public final class PrivatePostgres implements AutoCloseable {

  /** Where initdb and pg_ctl are; {@code -Dtest.pg.bin} overrides. */
  public static final Path BIN = Path.of(System.getProperty("test.pg.bin", "/usr/lib/postgresql/15/bin"));

  private final Path dir;
  private final Path data;
  private final int port;
  private final String netns;
  private final String host;
  private final Thread hook;
  private boolean running;

  private PrivatePostgres(Path dir, int port, String netns, String host) {
    this.dir = dir;
    this.data = dir.resolve("data");
    this.port = port;
    this.netns = netns;
    this.host = host;
    this.hook = new Thread(() -> {
      try {
        pgCtl("stop", "-m", "immediate");
      } catch (RuntimeException ignored) {
        // best effort on the way out
      }
    }, "private-postgres-stop");
  }

  /** Creates the cluster and starts the server; fails the test when PostgreSQL cannot be set up. */
  public static PrivatePostgres start() {
    return start(null, "127.0.0.1", Ports.free());
  }

  /** Like {@link #start()}, but the server runs in a network namespace, listening on {@code host:port} there. */
  public static PrivatePostgres startIn(String netns, String host, int port) {
    return start(netns, host, port);
  }

  private static PrivatePostgres start(String netns, String host, int port) {
    try {
      Path dir = Files.createTempDirectory("broker-pg-");
      PrivatePostgres pg = new PrivatePostgres(dir, port, netns, host);
      if (asRoot()) {
        run(List.of("chown", "postgres:postgres", dir.toString()));
      }
      pg.run(pg.command(BIN.resolve("initdb").toString(), "-D", pg.data.toString(), "-A", "trust", "-U", "postgres",
          "-E", "UTF8", "--no-locale", "--no-sync"));
      if (netns != null) {
        // initdb trusts loopback only; the namespace's clients come from the server's own /24
        String subnet = host.substring(0, host.lastIndexOf('.')) + ".0/24";
        Files.writeString(pg.data.resolve("pg_hba.conf"), "host all all " + subnet + " trust\n",
            java.nio.file.StandardOpenOption.APPEND);
      }
      Runtime.getRuntime().addShutdownHook(pg.hook);
      pg.startServer();
      return pg;
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a private PostgreSQL", e);
    }
  }

  public int port() {
    return port;
  }

  /** The URL of its {@code postgres} database, in the form of {@code BROKER_PG_URL}. */
  public String url() {
    return "postgresql://postgres@" + host + ":" + port + "/postgres";
  }

  /** Runs one statement in its {@code postgres} database, on the calling (test) thread. */
  public void execute(String sql) {
    try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/postgres", "postgres", null);
        var s = c.createStatement()) {
      s.execute(sql);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stops the server the way an operator's fast shutdown does: sessions are terminated, then it exits. */
  public void stopServer() {
    pgCtl("stop", "-m", "fast");
    running = false;
  }

  /** Starts (again) on the same port and data directory; returns once it accepts connections. */
  public void startServer() {
    pgCtl("start", "-l", dir.resolve("server.log").toString(), "-o",
        "-p " + port + " -k " + dir + " -c listen_addresses=" + host + " -c fsync=off -c max_connections=40"
            + " -c shared_buffers=16MB");
    running = true;
  }

  /**
   * Freezes the server with SIGSTOP: the postmaster and each of its backends, by process id, so that connections stay
   * open but nothing answers (like a database host that stopped responding). {@link #resume()} undoes it.
   */
  public void pause() {
    signalServer("-STOP");
  }

  public void resume() {
    signalServer("-CONT");
  }

  private void signalServer(String signal) {
    try {
      String postmaster = Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim();
      Process ps = new ProcessBuilder("ps", "-o", "pid=", "--ppid", postmaster).start();
      List<String> pids = new ArrayList<>(List.of(postmaster));
      new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().map(String::trim)
          .filter(l -> !l.isEmpty()).forEach(pids::add);
      ps.waitFor(10, TimeUnit.SECONDS);
      List<String> cmd = new ArrayList<>(List.of("kill", signal));
      cmd.addAll(pids);
      run(cmd);
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException("cannot signal the private PostgreSQL", e);
    }
  }

  @Override
  public void close() {
    try {
      if (running) {
        resume();
        pgCtl("stop", "-m", "immediate");
      }
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException ignored) {
      // the JVM is already shutting down
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a leftover temporary directory is harmless
      }
    }
  }

  private void pgCtl(String... args) {
    List<String> cmd = new ArrayList<>(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60"));
    cmd.addAll(List.of(args));
    List<String> full = command(cmd.toArray(String[]::new));
    if (netns != null) {
      full.addAll(0, List.of("ip", "netns", "exec", netns));
    }
    run(full);
  }

  private List<String> command(String... args) {
    List<String> cmd = new ArrayList<>();
    if (asRoot()) {
      cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static boolean asRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static void run(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
      }
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed", e);
    }
  }
}
