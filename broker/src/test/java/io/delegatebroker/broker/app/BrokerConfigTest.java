package io.delegatebroker.broker.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.app.BrokerConfig.ConfigException;
import io.delegatebroker.broker.app.BrokerConfig.ConnectionLimits;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Verifies the connection-limit variables: their defaults, their ranges, and the line a bad value fails with. */
class BrokerConfigTest {

  private static Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>(Map.of("BROKER_DEV", "true"));
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  @Test
  void connectionLimitsDefaultToTheDocumentedValues() {
    ConnectionLimits l = BrokerConfig.fromEnv(env()).connections();
    assertEquals(10, l.handshakeTimeoutSeconds());
    assertEquals(30, l.adminIdleTimeoutSeconds());
    assertEquals(200, l.pendingPerAddress());
    assertEquals(2000, l.pendingTotal());
    assertEquals(List.of(), l.trustedProxies());
    assertEquals(5, l.refusalLogLines());
    assertEquals(10, l.refusalLogIntervalSeconds());
    assertEquals(ConnectionLimits.DEFAULTS, l);
  }

  @Test
  void connectionLimitsAreReadFromTheirVariables() {
    ConnectionLimits l = BrokerConfig.fromEnv(env("BROKER_HANDSHAKE_TIMEOUT_SECONDS", "3",
        "BROKER_ADMIN_IDLE_TIMEOUT_SECONDS", "120", "BROKER_PENDING_HANDSHAKES_PER_ADDRESS", "50",
        "BROKER_PENDING_HANDSHAKES_TOTAL", "500", "BROKER_TRUSTED_PROXIES", " 10.0.0.1, ::1 ,192.168.7.254",
        "BROKER_REFUSAL_LOG_LINES", "0", "BROKER_REFUSAL_LOG_INTERVAL_SECONDS", "60")).connections();
    assertEquals(new ConnectionLimits(3, 120, 50, 500, List.of("10.0.0.1", "0:0:0:0:0:0:0:1", "192.168.7.254"), 0, 60), l);
  }

  @Test
  void badValuesFailWithALineNamingTheVariable() {
    String[][] bad = {
        {"BROKER_HANDSHAKE_TIMEOUT_SECONDS", "0", "between 1 and 300"},
        {"BROKER_HANDSHAKE_TIMEOUT_SECONDS", "ten", "must be a number"},
        {"BROKER_ADMIN_IDLE_TIMEOUT_SECONDS", "3601", "between 1 and 3600"},
        {"BROKER_PENDING_HANDSHAKES_PER_ADDRESS", "0", "between 1 and"},
        {"BROKER_PENDING_HANDSHAKES_TOTAL", "-1", "between 1 and"},
        {"BROKER_REFUSAL_LOG_LINES", "-1", "between 0 and"},
        {"BROKER_REFUSAL_LOG_INTERVAL_SECONDS", "0", "between 1 and 3600"},
        {"BROKER_TRUSTED_PROXIES", "proxy.example.com", "IP addresses"},
        {"BROKER_TRUSTED_PROXIES", "10.0.0.1,300.1.1.1", "'300.1.1.1'"},
        {"BROKER_TRUSTED_PROXIES", "10.0.0.0/8", "IP addresses"},
    };
    for (String[] b : bad) {
      ConfigException e = assertThrows(ConfigException.class, () -> BrokerConfig.fromEnv(env(b[0], b[1])), b[0]);
      assertTrue(e.getMessage().startsWith(b[0]) && e.getMessage().contains(b[2]), e.getMessage());
    }
    // the per-address cap cannot exceed the total
    ConfigException e = assertThrows(ConfigException.class, () -> BrokerConfig.fromEnv(env(
        "BROKER_PENDING_HANDSHAKES_PER_ADDRESS", "300", "BROKER_PENDING_HANDSHAKES_TOTAL", "200")));
    assertTrue(e.getMessage().contains("BROKER_PENDING_HANDSHAKES_PER_ADDRESS"), e.getMessage());
  }
}
