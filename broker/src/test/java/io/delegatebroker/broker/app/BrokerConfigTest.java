package io.delegatebroker.broker.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.app.BrokerConfig.ConfigException;
import io.delegatebroker.broker.limits.BrokerLimits;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Verifies that {@link BrokerConfig#fromEnv} reads every variable with its documented default, accepts values in
 * range, and refuses each ill-formed or out-of-range value with a line that starts with the variable's name, without
 * starting a node.
 */
class BrokerConfigTest {

  private static final String KEY = "0123456789abcdef";

  /** A dev-mode environment plus the given pairs; a pair with a null value removes the variable. */
  private static Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>(Map.of("BROKER_DEV", "true"));
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      if (pairs[i + 1] == null) {
        env.remove(pairs[i]);
      } else {
        env.put(pairs[i], pairs[i + 1]);
      }
    }
    return env;
  }

  @Test
  void unsetVariablesTakeTheirDocumentedDefaults() {
    // GIVEN only BROKER_DEV; WHEN read
    BrokerConfig c = BrokerConfig.fromEnv(env());
    // THEN every setting is its default, the key generated, the store in memory, the node alone
    assertEquals(8080, c.delegatePort());
    assertEquals(8081, c.adminPort());
    assertEquals("0.0.0.0", c.host());
    assertTrue(c.adminKeyGenerated() && c.adminKey().startsWith("root_"), c.adminKey());
    assertNull(c.pgUrl());
    assertTrue(c.dev());
    assertEquals(List.of(), c.clusterMembers());
    assertFalse(c.clustered());
    assertEquals(5701, c.clusterPort());
    assertEquals("delegate-broker", c.clusterName());
    assertNull(c.clusterHost());
    assertTrue(c.nodeId().matches("node-[0-9a-f]{8}"), c.nodeId());
    assertEquals(30, c.heartbeatSeconds());
    assertFalse(c.tls());
    assertFalse(c.jsonLogs());
    assertEquals(List.of(), c.trustedProxies());
    assertEquals(BrokerLimits.DEFAULTS, c.limits());
    assertEquals(new BrokerLimits(30, 10, 30, 200, 2000, 5, 10), c.limits());
  }

  static Stream<Arguments> validValues() {
    return Stream.of(
        valid("BROKER_DELEGATE_PORT", "9000", BrokerConfig::delegatePort, 9000),
        valid("BROKER_DELEGATE_PORT", "0", BrokerConfig::delegatePort, 0),
        valid("BROKER_ADMIN_PORT", " 65535 ", BrokerConfig::adminPort, 65535),
        valid("BROKER_HOST", "127.0.0.1", BrokerConfig::host, "127.0.0.1"),
        valid("BROKER_ADMIN_KEY", KEY, BrokerConfig::adminKey, KEY),
        valid("BROKER_PG_URL", "postgres://u@h:5432/d", BrokerConfig::pgUrl, "postgres://u@h:5432/d"),
        valid("BROKER_DEV", "TRUE", BrokerConfig::dev, true),
        valid("BROKER_CLUSTER_MEMBERS", "a:5701, 10.0.0.2:5702", BrokerConfig::clusterMembers,
            List.of("a:5701", "10.0.0.2:5702")),
        valid("BROKER_CLUSTER_PORT", "5801", BrokerConfig::clusterPort, 5801),
        valid("BROKER_HAZELCAST_CONFIG", "/etc/hz.yaml", BrokerConfig::clustered, true),
        valid("BROKER_NODE_ID", "node-A.1_x", BrokerConfig::nodeId, "node-A.1_x"),
        valid("BROKER_CLUSTER_NAME", "other", BrokerConfig::clusterName, "other"),
        valid("BROKER_CLUSTER_HOST", "10.1.1.1", BrokerConfig::clusterHost, "10.1.1.1"),
        valid("BROKER_HEARTBEAT_SECONDS", "3600", BrokerConfig::heartbeatSeconds, 3600),
        valid("BROKER_LOG_FORMAT", "JSON", BrokerConfig::jsonLogs, true),
        valid("BROKER_LOG_FORMAT", "text", BrokerConfig::jsonLogs, false),
        valid("BROKER_HANDSHAKE_FAILURE_LIMIT", "1", c -> c.limits().handshakeFailureLimit(), 1),
        valid("BROKER_HANDSHAKE_TIMEOUT_SECONDS", "300", c -> c.limits().handshakeTimeoutSeconds(), 300),
        valid("BROKER_ADMIN_IDLE_TIMEOUT_SECONDS", "1", c -> c.limits().adminIdleTimeoutSeconds(), 1),
        valid("BROKER_PENDING_HANDSHAKES_PER_ADDRESS", "2000", c -> c.limits().pendingPerAddress(), 2000),
        valid("BROKER_PENDING_HANDSHAKES_TOTAL", "1000000", c -> c.limits().pendingTotal(), 1_000_000),
        valid("BROKER_REFUSAL_LOG_LINES", "0", c -> c.limits().refusalLogLines(), 0),
        valid("BROKER_REFUSAL_LOG_INTERVAL_SECONDS", "60", c -> c.limits().refusalLogIntervalSeconds(), 60),
        valid("BROKER_TRUSTED_PROXIES", " 10.0.0.1, ::1 ,192.168.7.254", BrokerConfig::trustedProxies,
            List.of("10.0.0.1", "0:0:0:0:0:0:0:1", "192.168.7.254")),
        valid("BROKER_ADMIN_PORT", "", BrokerConfig::adminPort, 8081));
  }

  private static Arguments valid(String name, String value, Function<BrokerConfig, Object> read, Object expected) {
    return Arguments.of(name, value, read, expected);
  }

  @ParameterizedTest(name = "{0}={1}")
  @MethodSource("validValues")
  void aValidValueIsRead(String name, String value, Function<BrokerConfig, Object> read, Object expected) {
    assertEquals(expected, read.apply(BrokerConfig.fromEnv(env(name, value))));
  }

  @Test
  void tlsNeedsBothFiles() {
    BrokerConfig c = BrokerConfig.fromEnv(env("BROKER_TLS_CERT", "/c.pem", "BROKER_TLS_KEY", "/k.pem"));
    assertTrue(c.tls());
    assertEquals("/c.pem", c.tlsCert());
    assertEquals("/k.pem", c.tlsKey());
  }

  /** Each row: the environment's pairs over dev mode, the variable the line must start with, a part of the line. */
  static Stream<Arguments> refusedValues() {
    return Stream.of(
        refused("BROKER_DELEGATE_PORT", "between 0 and 65535", "BROKER_DELEGATE_PORT", "65536"),
        refused("BROKER_DELEGATE_PORT", "must be a number", "BROKER_DELEGATE_PORT", "http"),
        refused("BROKER_ADMIN_PORT", "between 0 and 65535", "BROKER_ADMIN_PORT", "-1"),
        refused("BROKER_CLUSTER_PORT", "must be a number", "BROKER_CLUSTER_PORT", "5701.0"),
        refused("BROKER_ADMIN_KEY", "is required", "BROKER_DEV", null),
        refused("BROKER_ADMIN_KEY", "at least 16 characters", "BROKER_ADMIN_KEY", "short"),
        refused("BROKER_PG_URL", "is required", "BROKER_DEV", "false", "BROKER_ADMIN_KEY", KEY),
        refused("BROKER_PG_URL", "must look like postgresql://", "BROKER_PG_URL", "mysql://u@h/d"),
        refused("BROKER_DEV", "must be true or false", "BROKER_DEV", "yes"),
        refused("BROKER_CLUSTER_MEMBERS", "'a'", "BROKER_CLUSTER_MEMBERS", "a"),
        refused("BROKER_CLUSTER_MEMBERS", "'b :1'", "BROKER_CLUSTER_MEMBERS", "a:1,b :1"),
        refused("BROKER_NODE_ID", "must match", "BROKER_NODE_ID", "node one"),
        refused("BROKER_NODE_ID", "must match", "BROKER_NODE_ID", "n".repeat(65)),
        refused("BROKER_TLS_CERT", "set together", "BROKER_TLS_CERT", "/c.pem"),
        refused("BROKER_TLS_CERT", "set together", "BROKER_TLS_KEY", "/k.pem"),
        refused("BROKER_HEARTBEAT_SECONDS", "between 1 and 3600", "BROKER_HEARTBEAT_SECONDS", "0"),
        refused("BROKER_HANDSHAKE_FAILURE_LIMIT", "between 1 and 1000000", "BROKER_HANDSHAKE_FAILURE_LIMIT", "0"),
        refused("BROKER_HANDSHAKE_FAILURE_LIMIT", "must be a number", "BROKER_HANDSHAKE_FAILURE_LIMIT", "many"),
        refused("BROKER_HANDSHAKE_TIMEOUT_SECONDS", "between 1 and 300", "BROKER_HANDSHAKE_TIMEOUT_SECONDS", "0"),
        refused("BROKER_HANDSHAKE_TIMEOUT_SECONDS", "must be a number", "BROKER_HANDSHAKE_TIMEOUT_SECONDS", "ten"),
        refused("BROKER_ADMIN_IDLE_TIMEOUT_SECONDS", "between 1 and 3600", "BROKER_ADMIN_IDLE_TIMEOUT_SECONDS", "3601"),
        refused("BROKER_PENDING_HANDSHAKES_PER_ADDRESS", "between 1 and", "BROKER_PENDING_HANDSHAKES_PER_ADDRESS", "0"),
        refused("BROKER_PENDING_HANDSHAKES_TOTAL", "between 1 and", "BROKER_PENDING_HANDSHAKES_TOTAL", "-1"),
        refused("BROKER_PENDING_HANDSHAKES_PER_ADDRESS", "must not be over BROKER_PENDING_HANDSHAKES_TOTAL",
            "BROKER_PENDING_HANDSHAKES_PER_ADDRESS", "300", "BROKER_PENDING_HANDSHAKES_TOTAL", "200"),
        refused("BROKER_REFUSAL_LOG_LINES", "between 0 and", "BROKER_REFUSAL_LOG_LINES", "-1"),
        refused("BROKER_REFUSAL_LOG_INTERVAL_SECONDS", "between 1 and 3600", "BROKER_REFUSAL_LOG_INTERVAL_SECONDS", "0"),
        refused("BROKER_TRUSTED_PROXIES", "IP addresses", "BROKER_TRUSTED_PROXIES", "proxy.example.com"),
        refused("BROKER_TRUSTED_PROXIES", "'300.1.1.1'", "BROKER_TRUSTED_PROXIES", "10.0.0.1,300.1.1.1"),
        refused("BROKER_TRUSTED_PROXIES", "IP addresses", "BROKER_TRUSTED_PROXIES", "10.0.0.0/8"));
  }

  private static Arguments refused(String variable, String says, String... pairs) {
    return Arguments.of(variable, says, pairs);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("refusedValues")
  void aBadValueIsRefusedWithALineNamingTheVariable(String variable, String says, String[] pairs) {
    ConfigException e = assertThrows(ConfigException.class, () -> BrokerConfig.fromEnv(env(pairs)));
    assertTrue(e.getMessage().startsWith(variable) && e.getMessage().contains(says), e.getMessage());
  }

  @Test
  void fixedLimitsOutOfRangeAreRefusedByName() {
    // the fixed limits have no variable; the record still refuses a value a test or a future variable could give
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BrokerLimits(30, 10, 30, 200,
        2000, 5, 10, BrokerLimits.DEFAULT_HANDSHAKE_FAILURE_WINDOW, 0, 1, 4096, 16384, 100, 1,
        BrokerLimits.DEFAULT_TOMBSTONE_PURGE_PERIOD, BrokerLimits.DEFAULT_SAFETY_NET_PERIOD, 500, 4, 1000,
        BrokerLimits.DEFAULT_COMMAND_DEADLINE, BrokerLimits.DEFAULT_STORE_CALL_DEADLINE,
        BrokerLimits.DEFAULT_STORE_CONNECT_TIMEOUT, 8, 10_000,
        Duration.ZERO));
    assertTrue(e.getMessage().startsWith("handshakeFailureKeys must be between 1 and"), e.getMessage());
  }
}
