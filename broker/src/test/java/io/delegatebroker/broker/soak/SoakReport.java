package io.delegatebroker.broker.soak;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** What a soak run did and found, as text for people and JSON for scripts; the seed first. */
public final class SoakReport {

  private final SoakSettings settings;
  private final Map<String, MemoryProbe.Reading> baseline = new LinkedHashMap<>();
  private final Map<String, MemoryProbe.Reading> end = new LinkedHashMap<>();
  private final JsonObject json = new JsonObject();
  private List<String> violations = List.of();
  private long warmupConnected;

  SoakReport(SoakSettings settings) {
    this.settings = settings;
  }

  void warmupConnected(long n) {
    warmupConnected = n;
  }

  void baseline(NodeSlot n, MemoryProbe.Reading r) {
    baseline.put(n.nodeId(), r);
  }

  MemoryProbe.Reading baselineOf(NodeSlot n) {
    return baseline.get(n.nodeId());
  }

  void end(NodeSlot n, MemoryProbe.Reading r) {
    end.put(n.nodeId(), r);
  }

  void finish(Ledger ledger, ChaosMonkey monkey, ListingCheck listings, FinalCheck last, long chaosMillis,
      int finalListings) {
    Eviction e = ledger.eviction();
    violations = ledger.violations();
    json.put("seed", settings.seed())
        .put("chaosSeconds", chaosMillis / 1000.0)
        .put("clients", settings.clients())
        .put("accounts", settings.accounts())
        .put("warmupConnected", warmupConnected)
        .put("faults", new JsonObject(new LinkedHashMap<>(monkey.injected().entrySet().stream()
            .collect(Collectors.toMap(x -> x.getKey().name(), x -> (Object) x.getValue())))))
        .put("faultLog", new JsonArray(monkey.log()))
        .put("counters", new JsonObject(new LinkedHashMap<>(ledger.counters())))
        .put("evictions", new JsonObject().put("count", e.evictions()).put("maxLagMillis", e.maxLag())
            .put("maxLagSession", e.maxLagWhat()).put("p50LagMillis", e.lagQuantile(0.5))
            .put("p99LagMillis", e.lagQuantile(0.99)))
        .put("listingChecks", new JsonObject().put("compared", listings.checks())
            .put("entries", listings.entriesCompared()).put("finalAccounts", finalListings))
        .put("finalCheck", new JsonObject(new LinkedHashMap<>(last.checked())))
        .put("memory", memory())
        .put("violations", new JsonArray(violations));
  }

  private JsonObject memory() {
    JsonObject m = new JsonObject();
    baseline.forEach((node, b) -> {
      MemoryProbe.Reading a = end.get(node);
      m.put(node, new JsonObject().put("baselineLiveBytes", b.liveBytes()).put("baselineRssBytes", b.rssBytes())
          .put("endLiveBytes", a == null ? -1 : a.liveBytes()).put("endRssBytes", a == null ? -1 : a.rssBytes()));
    });
    return m;
  }

  public List<String> violations() {
    return violations;
  }

  public long seed() {
    return settings.seed();
  }

  JsonObject json() {
    return json;
  }

  /** Faults injected by kind. */
  public Map<String, Object> faults() {
    return json.getJsonObject("faults").getMap();
  }

  public long evictions() {
    return json.getJsonObject("evictions").getLong("count");
  }

  public int listingChecks() {
    return json.getJsonObject("listingChecks").getInteger("compared");
  }

  public String text() {
    StringBuilder b = new StringBuilder();
    b.append("=== chaos soak: ").append(violations.isEmpty() ? "PASS" : "FAIL (" + violations.size() + " violations)")
        .append(" — seed ").append(settings.seed()).append(" (replay: -Dsoak.seed=").append(settings.seed())
        .append(") ===\n");
    b.append("chaos phase ").append(json.getDouble("chaosSeconds")).append(" s, ").append(settings.clients())
        .append(" clients in ").append(settings.accounts()).append(" accounts on 3 nodes, heartbeat ")
        .append(settings.heartbeat()).append(" s").append(Fleet.PINGS ? " + ping" : "")
        .append("; warm-up connected ").append(warmupConnected).append('\n');
    b.append("faults injected: ").append(json.getJsonObject("faults").encode()).append('\n');
    json.getJsonArray("faultLog").forEach(l -> b.append("  ").append(l).append('\n'));
    b.append("operations and sessions:\n");
    json.getJsonObject("counters").forEach(en -> b.append("  ").append(en.getKey()).append(": ").append(en.getValue())
        .append('\n'));
    JsonObject e = json.getJsonObject("evictions");
    b.append("revoked sessions still open when the revoke answered (or welcomed after): ").append(e.getLong("count"))
        .append(" (the other 4001 closes came before the answer), eviction lag p50 ")
        .append(e.getLong("p50LagMillis")).append(" ms, p99 ").append(e.getLong("p99LagMillis")).append(" ms, max ")
        .append(e.getLong("maxLagMillis")).append(" ms (").append(e.getString("maxLagSession")).append(")\n");
    JsonObject l = json.getJsonObject("listingChecks");
    b.append("listing comparisons on a settled cluster: ").append(l.getInteger("compared")).append(" (")
        .append(l.getInteger("entries")).append(" listed entries compared)\n");
    b.append("final check (acknowledged facts verified): ").append(json.getJsonObject("finalCheck").encode())
        .append('\n');
    b.append("memory (live heap after full GC / RSS, MiB), no session, before -> after:\n");
    json.getJsonObject("memory").forEach(en -> {
      JsonObject m = (JsonObject) en.getValue();
      b.append("  ").append(en.getKey()).append(": ").append(mib(m.getLong("baselineLiveBytes"))).append(" -> ")
          .append(mib(m.getLong("endLiveBytes"))).append(" live, ").append(mib(m.getLong("baselineRssBytes")))
          .append(" -> ").append(mib(m.getLong("endRssBytes"))).append(" RSS\n");
    });
    b.append("invariants: revoked sessions end <= 5 s after the answer (or the node's resume); no handshake with a "
        + "revoked token accepted after the answer; nothing acknowledged lost; listings agree with the clients' "
        + "sockets within 5 s once settled; live heap returns within max(8 MiB, 25 %) of its baseline\n");
    if (violations.isEmpty()) {
      b.append("violations: none\n");
    } else {
      b.append("violations:\n");
      violations.forEach(v -> b.append("  ").append(v).append('\n'));
    }
    return b.toString();
  }

  private static String mib(long bytes) {
    return bytes < 0 ? "?" : String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
  }
}
