package io.delegatebroker.broker.operating;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.api.routes.AdminRouter;
import io.delegatebroker.broker.app.BrokerConfig;
import io.delegatebroker.broker.app.BrokerConfig.ConfigException;
import io.delegatebroker.broker.limits.BrokerLimits;
import io.delegatebroker.broker.session.IdleReaper;
import io.delegatebroker.broker.session.Tombstones;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Verifies that the README's limits table and its configuration table say what the code does: every row's default
 * is the one in {@link BrokerLimits} (or in the class that holds a contract-fixed limit), every row's variable is
 * read by {@link BrokerConfig#fromEnv}, and every limit of the record has a row. A changed default or a new limit
 * fails here until the README says it.
 */
class LimitsTableTest {

  private static final BrokerLimits D = BrokerLimits.DEFAULTS;

  /** What the README must say for a limit: the default cell, the variable cell, and the record components it shows. */
  private record Row(String defaultCell, String variableCell, List<String> components) {
  }

  private static Row row(String defaultCell, String variableCell, String... components) {
    return new Row(defaultCell, variableCell, List.of(components));
  }

  /** The expected table, keyed by the "what" cell. */
  private static Map<String, Row> expected() {
    Map<String, Row> rows = new LinkedHashMap<>();
    String failures = D.handshakeFailureLimit() + " per " + window(D.handshakeFailureWindow());
    rows.put("failed handshakes per source address (unknown tokens, malformed requests)",
        row(failures, "`BROKER_HANDSHAKE_FAILURE_LIMIT`", "handshakeFailureLimit", "handshakeFailureWindow"));
    rows.put("failed handshakes per source address and known token (revoked, expired, rejected...)",
        row(failures, "`BROKER_HANDSHAKE_FAILURE_LIMIT`", "handshakeFailureLimit", "handshakeFailureWindow"));
    rows.put("keys tracked by those limits",
        row(n(D.handshakeFailureKeys()) + " (least recently used dropped)", "fixed", "handshakeFailureKeys"));
    rows.put("time to deliver a request's headers, from connect (both ports; the TLS handshake too)",
        row(D.handshakeTimeoutSeconds() + " s", "`BROKER_HANDSHAKE_TIMEOUT_SECONDS`", "handshakeTimeoutSeconds"));
    rows.put("admin keep-alive connection waiting for its next request",
        row(D.adminIdleTimeoutSeconds() + " s", "`BROKER_ADMIN_IDLE_TIMEOUT_SECONDS`", "adminIdleTimeoutSeconds"));
    rows.put("connections waiting for a request, per source address, per listener",
        row(n(D.pendingPerAddress()), "`BROKER_PENDING_HANDSHAKES_PER_ADDRESS`", "pendingPerAddress"));
    rows.put("connections waiting for a request, in all, per listener",
        row(n(D.pendingTotal()), "`BROKER_PENDING_HANDSHAKES_TOTAL`", "pendingTotal"));
    rows.put("refusal lines in full per source address",
        row(D.refusalLogLines() + " per " + D.refusalLogIntervalSeconds() + " s",
            "`BROKER_REFUSAL_LOG_LINES`, `BROKER_REFUSAL_LOG_INTERVAL_SECONDS`", "refusalLogLines",
            "refusalLogIntervalSeconds"));
    rows.put("source addresses the refusal log tallies per interval",
        row(n(D.refusalLogAddresses()), "fixed", "refusalLogAddresses"));
    rows.put("request headers (both ports)", row(kib(D.maxHeaderBytes()), "fixed", "maxHeaderBytes"));
    rows.put("request line (both ports)", row(kib(D.maxInitialLineBytes()), "fixed", "maxInitialLineBytes"));
    rows.put("admin request body", row(kib(AdminRouter.MAX_BODY_BYTES), "fixed (contract)"));
    rows.put("delegate message (any fragmentation)", row(kib(BrokerLimits.MAX_MESSAGE_BYTES), "fixed (contract)"));
    rows.put("delegate frames per session", row(D.framesPerSecond() + " per second", "fixed", "framesPerSecond"));
    rows.put("single WebSocket frame (Netty)", row(kib(BrokerLimits.MAX_WEBSOCKET_FRAME_BYTES), "fixed"));
    rows.put("inflated permessage-deflate frame",
        row(kib(BrokerLimits.MAX_MESSAGE_BYTES) + " (inflation stops there)", "fixed"));
    rows.put("silence (no frame, no ping, no pong)",
        row(IdleReaper.SILENT_PERIODS + " heartbeat periods ("
            + IdleReaper.SILENT_PERIODS * BrokerConfig.DEFAULT_HEARTBEAT_SECONDS + " s); pinged after each silent one",
            "`BROKER_HEARTBEAT_SECONDS`"));
    rows.put("listings of one account, per node",
        row(D.listingsPerAccount() + " at once, " + n(D.listingsWaiting()) + " waiting", "fixed",
            "listingsPerAccount", "listingsWaiting"));
    rows.put("revoke and other cluster commands waiting for peers",
        row(s(D.commandDeadline()), "fixed (contract)", "commandDeadline"));
    rows.put("a revocation this node missed (every token with live sessions re-checked in the store)",
        row("every " + s(D.safetyNetPeriod()) + ", " + n(D.safetyNetBatch()) + " tokens per query", "fixed",
            "safetyNetPeriod", "safetyNetBatch"));
    rows.put("revoked tokens remembered against verifications in flight",
        row(Duration.ofMillis(Tombstones.RETENTION_MILLIS).toMinutes() + " min, purged every "
            + s(D.tombstonePurgePeriod()), "fixed", "tombstonePurgePeriod"));
    rows.put("tokens cached per node (the store's answer, by hash)",
        row(n(D.tokenCacheEntries()) + " (least recently used dropped)", "fixed", "tokenCacheEntries"));
    rows.put("one store call", row(s(D.storeCallDeadline()), "fixed", "storeCallDeadline"));
    rows.put("new database connection", row(s(D.storeConnectTimeout()), "fixed", "storeConnectTimeout"));
    rows.put("database pool",
        row(D.storePoolSize() + " connections, " + n(D.storePoolWaiting()) + " waiting, " + s(D.storePoolWait())
            + " wait", "fixed", "storePoolSize", "storePoolWaiting", "storePoolWait"));
    rows.put("log queue", row(n(logQueue()) + " lines", "fixed"));
    return rows;
  }

  @Test
  void everyRowOfTheLimitsTableSaysWhatTheCodeDoes() {
    // GIVEN the README's limits table
    Map<String, List<String>> readme = table(section("## Limits"));
    Map<String, Row> expected = expected();
    // THEN it has exactly the expected rows, each with the code's default and variable
    assertEquals(new TreeSet<>(expected.keySet()), new TreeSet<>(readme.keySet()), "rows of the README's limits table");
    for (Map.Entry<String, Row> e : expected.entrySet()) {
      List<String> cells = readme.get(e.getKey());
      assertEquals(e.getValue().defaultCell(), cells.get(0), "default of '" + e.getKey() + "'");
      assertEquals(e.getValue().variableCell(), cells.get(1), "variable of '" + e.getKey() + "'");
    }
  }

  @Test
  void everyLimitOfTheRecordHasARow() {
    Set<String> shown = new TreeSet<>();
    expected().values().forEach(r -> shown.addAll(r.components()));
    Set<String> all = new TreeSet<>(Arrays.stream(BrokerLimits.class.getRecordComponents())
        .map(RecordComponent::getName).toList());
    assertEquals(all, shown, "BrokerLimits components shown in the README's limits table");
  }

  @Test
  void everyVariableTheTablesNameIsReadAndItsDefaultIsTheCodes() {
    // GIVEN every variable named in the limits table, and the configuration table's numeric defaults
    Set<String> variables = new TreeSet<>();
    Matcher m = Pattern.compile("`(BROKER_[A-Z_]+)`").matcher(String.join("\n",
        table(section("## Limits")).values().stream().map(c -> c.get(1)).toList()));
    while (m.find()) {
      variables.add(m.group(1));
    }
    // THEN each is read: an ill-formed value is refused with a line naming it
    for (String v : variables) {
      Map<String, String> env = new HashMap<>(Map.of("BROKER_DEV", "true", v, "not-a-number"));
      ConfigException e = assertThrows(ConfigException.class, () -> BrokerConfig.fromEnv(env), v);
      assertTrue(e.getMessage().startsWith(v), e.getMessage());
    }
    // AND the configuration table's numeric defaults are the ones fromEnv applies
    BrokerConfig defaults = BrokerConfig.fromEnv(Map.of("BROKER_DEV", "true"));
    Map<String, Function<BrokerConfig, Integer>> read = new HashMap<>();
    read.put("BROKER_DELEGATE_PORT", BrokerConfig::delegatePort);
    read.put("BROKER_ADMIN_PORT", BrokerConfig::adminPort);
    read.put("BROKER_CLUSTER_PORT", BrokerConfig::clusterPort);
    read.put("BROKER_HEARTBEAT_SECONDS", BrokerConfig::heartbeatSeconds);
    read.put("BROKER_HANDSHAKE_FAILURE_LIMIT", c -> c.limits().handshakeFailureLimit());
    read.put("BROKER_HANDSHAKE_TIMEOUT_SECONDS", c -> c.limits().handshakeTimeoutSeconds());
    read.put("BROKER_ADMIN_IDLE_TIMEOUT_SECONDS", c -> c.limits().adminIdleTimeoutSeconds());
    read.put("BROKER_PENDING_HANDSHAKES_PER_ADDRESS", c -> c.limits().pendingPerAddress());
    read.put("BROKER_PENDING_HANDSHAKES_TOTAL", c -> c.limits().pendingTotal());
    read.put("BROKER_REFUSAL_LOG_LINES", c -> c.limits().refusalLogLines());
    read.put("BROKER_REFUSAL_LOG_INTERVAL_SECONDS", c -> c.limits().refusalLogIntervalSeconds());
    Map<String, Integer> documented = new HashMap<>();
    Matcher row = Pattern.compile("(?m)^\\| `(BROKER_[A-Z_]+)`(?: \\*extra\\*)? \\| `(\\d+)` \\|")
        .matcher(section("## Configuration"));
    while (row.find()) {
      documented.put(row.group(1), Integer.parseInt(row.group(2)));
    }
    assertEquals(new TreeSet<>(read.keySet()), new TreeSet<>(documented.keySet()), "numeric defaults documented");
    documented.forEach((v, n) -> assertEquals(n, read.get(v).apply(defaults), "default of " + v));
  }

  /** The README's section from the heading to the next {@code ## } heading. */
  private static String section(String heading) {
    String readme = RepoFiles.read("README.md");
    int from = readme.indexOf("\n" + heading + "\n");
    assertTrue(from >= 0, "README has no section " + heading);
    int to = readme.indexOf("\n## ", from + heading.length() + 1);
    return readme.substring(from, to < 0 ? readme.length() : to);
  }

  /** The rows of the first table in a section: first cell, then the other cells, trimmed. */
  private static Map<String, List<String>> table(String section) {
    Map<String, List<String>> rows = new LinkedHashMap<>();
    boolean header = true;
    for (String line : section.lines().toList()) {
      if (!line.startsWith("|")) {
        if (!rows.isEmpty()) {
          break;
        }
        continue;
      }
      if (header || line.startsWith("|---")) {
        header = false;
        continue;
      }
      List<String> cells = new ArrayList<>();
      for (String c : line.substring(1, line.length() - 1).split("\\|")) {
        cells.add(c.trim());
      }
      rows.put(cells.get(0), cells.subList(1, cells.size()));
    }
    return rows;
  }

  private static int logQueue() {
    Matcher m = Pattern.compile("<queueSize>(\\d+)</queueSize>")
        .matcher(RepoFiles.read("broker/src/main/resources/logback.xml"));
    assertTrue(m.find(), "queueSize in logback.xml");
    int size = Integer.parseInt(m.group(1));
    assertTrue(RepoFiles.read("broker/src/main/resources/logback-json.xml").contains("<queueSize>" + size + "<"),
        "logback-json.xml has the same queue");
    return size;
  }

  private static String n(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }

  private static String kib(long bytes) {
    assertEquals(0, bytes % 1024, bytes + " bytes is not a whole KiB");
    return bytes / 1024 + " KiB";
  }

  private static String s(Duration d) {
    assertEquals(0, d.toMillis() % 1000, d + " is not whole seconds");
    return d.toSeconds() + " s";
  }

  private static String window(Duration d) {
    assertEquals(Duration.ofMinutes(1), d, "the README says per minute");
    return "minute";
  }
}
