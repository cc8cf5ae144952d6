package io.delegatebroker.broker.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A lab of Linux network namespaces made by {@code cluster-config/netlab.sh} (one namespace per node, one for the
 * database, a switch namespace with three bridges: peer, db, front), so a test can unplug a node from one network
 * and plug it back. Needs root. The lab's name and subnets are unique to the run; {@link #close()} (or, if the JVM
 * ends first, a shutdown hook) kills whatever runs in its namespaces and deletes them.
 */
public final class NetLab implements AutoCloseable {

  /** The networks of a lab. */
  public enum Net {
    PEER("10.213"), DB("10.214"), FRONT("10.215");

    private final String prefix;

    Net(String prefix) {
      this.prefix = prefix;
    }
  }

  private static final Path SCRIPT = Path.of(System.getProperty("netlab.script", "../cluster-config/netlab.sh"));

  private final String name;
  private final int octet;
  private final Thread hook;

  private NetLab(String name, int octet) {
    this.name = name;
    this.octet = octet;
    this.hook = new Thread(() -> script("down", name), "netlab-down");
  }

  /** Creates a lab of {@code nodes} node namespaces; its name comes from {@code -Dnetlab.name} when given. */
  public static NetLab up(int nodes) {
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new IllegalStateException("network namespaces need root: run this test as root");
    }
    String name = System.getProperty("netlab.name", "dbp" + UUID.randomUUID().toString().substring(0, 5));
    int octet = freeOctet();
    NetLab lab = new NetLab(name, octet);
    Runtime.getRuntime().addShutdownHook(lab.hook);
    try {
      script("up", name, Integer.toString(octet), Integer.toString(nodes));
    } catch (RuntimeException e) {
      lab.close();
      throw e;
    }
    return lab;
  }

  /** A third octet whose front subnet the root namespace does not route yet (runs side by side never share one). */
  private static int freeOctet() {
    String routes = run(List.of("ip", "-4", "route", "show"));
    for (int tries = 0; tries < 50; tries++) {
      int octet = ThreadLocalRandom.current().nextInt(1, 255);
      if (!routes.contains(Net.FRONT.prefix + "." + octet + ".")) {
        return octet;
      }
    }
    throw new IllegalStateException("no free 10.215.x.0/24 subnet");
  }

  /** The namespace of node {@code i} (1-based). */
  public String node(int i) {
    return name + "-n" + i;
  }

  /** The database's namespace. */
  public String db() {
    return name + "-db";
  }

  /** Node {@code i}'s address on a network. */
  public String address(int i, Net net) {
    return net.prefix + "." + octet + ".1" + i;
  }

  /** The database's address (on the db network). */
  public String dbAddress() {
    return Net.DB.prefix + "." + octet + ".100";
  }

  /** Unplugs node {@code i} from the network: its packets there are dropped silently, both ways. */
  public void cut(int i, Net net) {
    script("cut", name, Integer.toString(i), net.name().toLowerCase());
  }

  public void heal(int i, Net net) {
    script("heal", name, Integer.toString(i), net.name().toLowerCase());
  }

  @Override
  public void close() {
    script("down", name);
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException ignored) {
      // the JVM is already shutting down
    }
  }

  private static String script(String... args) {
    if (!Files.isRegularFile(SCRIPT)) {
      throw new IllegalStateException("netlab script not found at " + SCRIPT.toAbsolutePath());
    }
    List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    cmd.addAll(List.of(args));
    return run(cmd);
  }

  private static String run(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
      }
      return out;
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed", e);
    }
  }
}
