package io.delegatebroker.loadtest.sim;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Simulation parameters from system properties ({@code -Dusers=500}), each with a default sized for a 2-core
 * machine and a hard bound, so that no typo turns a smoke run into a flood. Targets must be loopback addresses
 * unless {@code -DallowRemoteTargets=true}.
 */
public final class Params {

  private Params() {
  }

  public static int integer(String name, int def, int min, int max) {
    String v = System.getProperty(name);
    if (v == null || v.isBlank()) {
      return def;
    }
    int n;
    try {
      n = Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-D" + name + " must be a number, got '" + v + "'");
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException("-D" + name + " must be between " + min + " and " + max + ", got " + n);
    }
    return n;
  }

  public static Duration seconds(String name, int def, int min, int max) {
    return Duration.ofSeconds(integer(name, def, min, max));
  }

  public static String string(String name, String def) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? def : v.trim();
  }

  /** The root admin key: {@code -DadminKey}, else the BROKER_ADMIN_KEY environment variable. */
  public static String adminKey() {
    String k = string("adminKey", System.getenv("BROKER_ADMIN_KEY"));
    if (k == null || k.isBlank()) {
      throw new IllegalArgumentException("-DadminKey (the broker's root admin key) is required");
    }
    return k;
  }

  /** Admin API base URL of the node the simulation talks to: {@code -DadminUrl}, default http://127.0.0.1:8081. */
  public static String adminUrl() {
    String u = stripSlash(string("adminUrl", "http://127.0.0.1:8081"));
    checkLoopback(u, "adminUrl");
    return u;
  }

  /** Delegate endpoints, comma separated: {@code -Dtargets=ws://127.0.0.1:8080,ws://127.0.0.1:8090}. */
  public static List<String> targets() {
    List<String> out = new ArrayList<>();
    for (String t : string("targets", "ws://127.0.0.1:8080").split(",")) {
      String u = stripSlash(t.trim());
      if (u.isEmpty()) {
        continue;
      }
      if (!u.startsWith("ws://") && !u.startsWith("wss://")) {
        throw new IllegalArgumentException("-Dtargets entries must be ws:// or wss:// URLs, got '" + u + "'");
      }
      checkLoopback(u, "targets");
      out.add(u);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("-Dtargets must name at least one ws:// URL");
    }
    return List.copyOf(out);
  }

  static void checkLoopback(String url, String what) {
    if (Boolean.parseBoolean(System.getProperty("allowRemoteTargets", "false"))) {
      return;
    }
    String host = URI.create(url).getHost();
    try {
      if (host == null || !InetAddress.getByName(host).isLoopbackAddress()) {
        throw new IllegalArgumentException("-D" + what + " must point at a loopback address (127.0.0.0/8, ::1), got '"
            + url + "'; set -DallowRemoteTargets=true to load another host on purpose");
      }
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("-D" + what + ": unknown host in '" + url + "'");
    }
  }

  private static String stripSlash(String u) {
    return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
  }
}
