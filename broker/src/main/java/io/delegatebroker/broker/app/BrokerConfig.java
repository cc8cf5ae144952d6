package io.delegatebroker.broker.app;

import io.delegatebroker.broker.domain.Secrets;
import io.delegatebroker.broker.limits.BrokerLimits;
import io.delegatebroker.broker.net.IpLiteral;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The node's settings, read from environment variables (contract section 1) with named defaults. Invalid values
 * fail with {@link ConfigException} naming the variable, before anything starts.
 */
public record BrokerConfig(
    int delegatePort,
    int adminPort,
    String host,
    String adminKey,
    boolean adminKeyGenerated,
    String pgUrl,
    boolean dev,
    List<String> clusterMembers,
    int clusterPort,
    String hazelcastConfig,
    String clusterName,
    String clusterHost,
    String nodeId,
    int heartbeatSeconds,
    String tlsCert,
    String tlsKey,
    boolean jsonLogs,
    List<String> trustedProxies,
    BrokerLimits limits) {

  public static final int DEFAULT_DELEGATE_PORT = 8080;
  public static final int DEFAULT_ADMIN_PORT = 8081;
  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_CLUSTER_PORT = 5701;
  public static final int DEFAULT_HEARTBEAT_SECONDS = 30;
  public static final String DEFAULT_CLUSTER_NAME = "delegate-broker";

  /** A setting that cannot be used; the message names the variable. */
  public static final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
      super(message);
    }
  }

  public boolean clustered() {
    return !clusterMembers.isEmpty() || hazelcastConfig != null;
  }

  public boolean tls() {
    return tlsCert != null;
  }

  public static BrokerConfig fromEnv(Map<String, String> env) {
    boolean dev = bool(env, "BROKER_DEV");
    String adminKey = blankToNull(env.get("BROKER_ADMIN_KEY"));
    boolean generated = false;
    if (adminKey == null) {
      if (!dev) {
        throw new ConfigException("BROKER_ADMIN_KEY is required (or set BROKER_DEV=true for a generated key)");
      }
      adminKey = Secrets.newValue("root_");
      generated = true;
    } else if (adminKey.length() < 16) {
      throw new ConfigException("BROKER_ADMIN_KEY must be at least 16 characters");
    }
    String pgUrl = blankToNull(env.get("BROKER_PG_URL"));
    if (pgUrl == null && !dev) {
      throw new ConfigException("BROKER_PG_URL is required (the in-memory store is allowed only with BROKER_DEV=true)");
    }
    if (pgUrl != null && !(pgUrl.startsWith("postgresql://") || pgUrl.startsWith("postgres://"))) {
      throw new ConfigException("BROKER_PG_URL must look like postgresql://user[:pass]@host:port/db");
    }
    List<String> members = new ArrayList<>();
    String rawMembers = blankToNull(env.get("BROKER_CLUSTER_MEMBERS"));
    if (rawMembers != null) {
      for (String m : rawMembers.split(",")) {
        String member = m.trim();
        if (!member.matches("[^:\\s]+:\\d{1,5}")) {
          throw new ConfigException("BROKER_CLUSTER_MEMBERS must be comma-separated host:port, got '" + member + "'");
        }
        members.add(member);
      }
    }
    String nodeId = blankToNull(env.get("BROKER_NODE_ID"));
    if (nodeId == null) {
      nodeId = "node-" + UUID.randomUUID().toString().substring(0, 8);
    } else if (!nodeId.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new ConfigException("BROKER_NODE_ID must match [A-Za-z0-9._-]{1,64}");
    }
    String cert = blankToNull(env.get("BROKER_TLS_CERT"));
    String key = blankToNull(env.get("BROKER_TLS_KEY"));
    if ((cert == null) != (key == null)) {
      throw new ConfigException("BROKER_TLS_CERT and BROKER_TLS_KEY must be set together");
    }
    return new BrokerConfig(
        port(env, "BROKER_DELEGATE_PORT", DEFAULT_DELEGATE_PORT),
        port(env, "BROKER_ADMIN_PORT", DEFAULT_ADMIN_PORT),
        env.getOrDefault("BROKER_HOST", DEFAULT_HOST),
        adminKey, generated, pgUrl, dev, List.copyOf(members),
        port(env, "BROKER_CLUSTER_PORT", DEFAULT_CLUSTER_PORT),
        blankToNull(env.get("BROKER_HAZELCAST_CONFIG")),
        env.getOrDefault("BROKER_CLUSTER_NAME", DEFAULT_CLUSTER_NAME),
        blankToNull(env.get("BROKER_CLUSTER_HOST")),
        nodeId,
        intIn(env, "BROKER_HEARTBEAT_SECONDS", DEFAULT_HEARTBEAT_SECONDS, 1, 3600),
        cert, key,
        "json".equalsIgnoreCase(env.get("BROKER_LOG_FORMAT")),
        addresses(env, "BROKER_TRUSTED_PROXIES"),
        limits(env));
  }

  /** The variable-backed limits; the record's range checks name the variable. */
  private static BrokerLimits limits(Map<String, String> env) {
    try {
      return new BrokerLimits(
          number(env, "BROKER_HANDSHAKE_FAILURE_LIMIT", BrokerLimits.DEFAULT_HANDSHAKE_FAILURE_LIMIT),
          number(env, "BROKER_HANDSHAKE_TIMEOUT_SECONDS", BrokerLimits.DEFAULT_HANDSHAKE_TIMEOUT_SECONDS),
          number(env, "BROKER_ADMIN_IDLE_TIMEOUT_SECONDS", BrokerLimits.DEFAULT_ADMIN_IDLE_TIMEOUT_SECONDS),
          number(env, "BROKER_PENDING_HANDSHAKES_PER_ADDRESS", BrokerLimits.DEFAULT_PENDING_PER_ADDRESS),
          number(env, "BROKER_PENDING_HANDSHAKES_TOTAL", BrokerLimits.DEFAULT_PENDING_TOTAL),
          number(env, "BROKER_REFUSAL_LOG_LINES", BrokerLimits.DEFAULT_REFUSAL_LOG_LINES),
          number(env, "BROKER_REFUSAL_LOG_INTERVAL_SECONDS", BrokerLimits.DEFAULT_REFUSAL_LOG_INTERVAL_SECONDS));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  /**
   * Comma-separated IP address literals, each normalised to the form Vert.x reports peers in. Host names are refused:
   * resolving them would make the trust depend on DNS.
   */
  private static List<String> addresses(Map<String, String> env, String name) {
    String raw = blankToNull(env.get(name));
    if (raw == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String part : raw.split(",")) {
      String a = IpLiteral.normalize(part);
      if (a == null) {
        throw new ConfigException(name + " must be comma-separated IP addresses, got '" + part.trim() + "'");
      }
      out.add(a);
    }
    return List.copyOf(out);
  }

  private static boolean bool(Map<String, String> env, String name) {
    String v = blankToNull(env.get(name));
    if (v == null) {
      return false;
    }
    if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(v);
    }
    throw new ConfigException(name + " must be true or false");
  }

  private static int port(Map<String, String> env, String name, int def) {
    return intIn(env, name, def, 0, 65535);
  }

  private static int intIn(Map<String, String> env, String name, int def, int min, int max) {
    int n = number(env, name, def);
    if (n < min || n > max) {
      throw new ConfigException(name + " must be between " + min + " and " + max);
    }
    return n;
  }

  private static int number(Map<String, String> env, String name, int def) {
    String v = blankToNull(env.get(name));
    if (v == null) {
      return def;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(name + " must be a number");
    }
  }

  private static String blankToNull(String v) {
    return v == null || v.isBlank() ? null : v;
  }

  /** Never prints the admin key. */
  @Override
  public String toString() {
    return "delegatePort=" + delegatePort + " adminPort=" + adminPort + " host=" + host + " dev=" + dev
        + " store=" + (pgUrl == null ? "memory" : "postgresql") + " cluster=" + (clustered() ? clusterMembers : "none")
        + " node=" + nodeId;
  }
}
