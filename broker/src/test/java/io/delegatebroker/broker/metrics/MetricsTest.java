package io.delegatebroker.broker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.Await;
import io.delegatebroker.broker.testkit.BrokerNodeExtension;
import io.delegatebroker.broker.testkit.RawWebSocket;
import io.delegatebroker.broker.testkit.Scrape;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.delegatebroker.broker.testkit.TestNode;
import io.delegatebroker.broker.vocabulary.RefusalReason;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Verifies that {@code GET /metrics} counts what happened: handshakes by outcome (accepted and each refusal reason),
 * sessions closed by cause, live sessions by status, revocation latency, cluster size, the PostgreSQL pool and the
 * event-loop probe. Every expectation is an exact delta between two scrapes of a node nothing else uses.
 */
@ExtendWith(VertxExtension.class)
@Timeout(90)
class MetricsTest {

  @RegisterExtension
  static final BrokerNodeExtension node = BrokerNodeExtension.postgres();

  /** Expected increments, by series key, checked against two scrapes. */
  static final class Deltas {
    final Map<String, Double> expected = new HashMap<>();

    Deltas add(String name, String label, String value, double n) {
      expected.merge(name + "|" + label + "|" + value, n, Double::sum);
      return this;
    }

    void check(Scrape before, Scrape after) {
      expected.forEach((key, n) -> {
        String[] k = key.split("\\|");
        double delta = after.value(k[0], k[1], k[2]) - before.value(k[0], k[1], k[2]);
        assertEquals(n, delta, 0.0001, k[0] + "{" + k[1] + "=" + k[2] + "}");
      });
    }
  }

  static final String ATTEMPTS = "broker_connect_attempts_total";
  static final String EVICTIONS = "broker_evictions_total";

  @Test
  void countersMoveByExactlyWhatHappened(Vertx vertx) {
    // GIVEN two accounts, a profile that requires approval, and a baseline scrape
    JsonObject a = node.admin().createAccount("Acme");
    String acc = a.getString("id");
    String token = a.getJsonObject("defaultToken").getString("value");
    JsonObject b = node.admin().createAccount("Other");
    String otherToken = b.getJsonObject("defaultToken").getString("value");
    assertEquals(201, node.admin().post("/v1/accounts/" + acc + "/profiles",
        new JsonObject().put("name", "gated").put("approvalRequired", true)).status());
    Scrape before = Scrape.of(node.admin());
    Deltas d = new Deltas();
    for (RefusalReason outcome : RefusalReason.values()) {
      d.add(ATTEMPTS, "outcome", outcome.asTag(), 0);
    }
    for (String cause : new String[] {"revoked", "expired", "rejected", "deleted", "replaced", "idle", "drain", "policy",
        "too_big"}) {
      d.add(EVICTIONS, "cause", cause, 0);
    }

    // WHEN one ACTIVE and one PENDING_APPROVAL delegate connect
    TestDelegate active = connect(token, acc, "ok-1", Map.of());
    TestDelegate pending = connect(token, acc, "gated-1", Map.of("X-Delegate-Profile", "gated"));
    assertEquals("PENDING_APPROVAL", pending.next("welcome").getString("status"));
    d.add(ATTEMPTS, "outcome", "accepted", 2);
    // THEN the session gauge splits them by status
    Scrape live = Scrape.of(node.admin());
    assertEquals(1, live.value("broker_sessions", "status", "ACTIVE"));
    assertEquals(1, live.value("broker_sessions", "status", "PENDING_APPROVAL"));

    // WHEN handshakes are refused for every reason a single address can provoke below its limit
    refused(401, TestDelegate.options(node.delegatePort(), "dt_" + "n".repeat(43), acc, "x"));
    d.add(ATTEMPTS, "outcome", "unknown", 1);
    refused(401, TestDelegate.options(node.delegatePort(), otherToken, acc, "x"));
    d.add(ATTEMPTS, "outcome", "wrong_account", 1);
    refused(401, TestDelegate.options(node.delegatePort(), "x".repeat(300), acc, "x"));
    d.add(ATTEMPTS, "outcome", "malformed", 1);
    refused(400, TestDelegate.options(node.delegatePort(), token, acc, null));
    d.add(ATTEMPTS, "outcome", "bad_request", 1);
    refused(404, TestDelegate.options(node.delegatePort(), token, acc, "x").addHeader("X-Delegate-Profile", "nope"));
    d.add(ATTEMPTS, "outcome", "profile_not_found", 1);
    String pendingId = node.admin().get("/v1/accounts/" + acc + "/delegates?status=PENDING_APPROVAL").items()
        .getJsonObject(0).getString("id");
    assertEquals(200, node.admin().post("/v1/accounts/" + acc + "/delegates/" + pendingId + "/reject", null).status());
    assertEquals(4003, pending.awaitClose().code());
    d.add(EVICTIONS, "cause", "rejected", 1);
    refused(403, TestDelegate.options(node.delegatePort(), token, acc, "gated-1"));
    d.add(ATTEMPTS, "outcome", "delegate_rejected", 1);
    String shortLived = node.admin().createToken(acc, "short");
    TestDelegate onShort = connect(shortLived, acc, "short-1", Map.of());
    d.add(ATTEMPTS, "outcome", "accepted", 1);
    assertEquals(1, node.admin().revoke(acc, "short").getInteger("evicted"));
    assertEquals(4001, onShort.awaitClose().code());
    d.add(EVICTIONS, "cause", "revoked", 1);
    refused(401, TestDelegate.options(node.delegatePort(), shortLived, acc, "short-1"));
    d.add(ATTEMPTS, "outcome", "revoked", 1);
    String old = createToken(acc, "old", Instant.now().minusSeconds(60));
    refused(401, TestDelegate.options(node.delegatePort(), old, acc, "x"));
    d.add(ATTEMPTS, "outcome", "expired", 1);

    // WHEN another address fails 30 times and then tries again
    WebSocketClient fromElsewhere = vertx.createWebSocketClient(new WebSocketClientOptions().setLocalAddress("127.0.0.2")
        .setConnectTimeout(10_000));
    for (int i = 0; i < 30; i++) {
      refusedWith(fromElsewhere, 401, TestDelegate.options(node.delegatePort(), "dt_wrong" + i, acc, "x"));
    }
    d.add(ATTEMPTS, "outcome", "unknown", 30);
    // (with a valid token this node has not verified yet: one it knows to be live would be let through)
    String unseen = node.admin().createToken(acc, "unseen-by-node");
    TestDelegate.Refusal limited = TestDelegate.refused(fromElsewhere,
        TestDelegate.options(node.delegatePort(), unseen, acc, "x"));
    assertEquals(429, limited.status());
    d.add(ATTEMPTS, "outcome", "rate_limited", 1);

    // WHEN sessions are replaced, violate the policy, send too much, are deleted, and reach their token's expiry
    TestDelegate first = connect(token, acc, "rep", Map.of("X-Delegate-Instance", "i-1"));
    TestDelegate second = connect(token, acc, "rep", Map.of("X-Delegate-Instance", "i-1"));
    assertEquals(4005, first.awaitClose().code());
    d.add(ATTEMPTS, "outcome", "accepted", 2).add(EVICTIONS, "cause", "replaced", 1);
    second.send("not json");
    assertEquals(1008, second.awaitClose().code());
    d.add(EVICTIONS, "cause", "policy", 1);
    TestDelegate big = connect(token, acc, "big-1", Map.of());
    big.send(new JsonObject().put("type", "heartbeat").put("pad", "p".repeat(70 * 1024)));
    assertEquals(1009, big.awaitClose().code());
    d.add(ATTEMPTS, "outcome", "accepted", 1).add(EVICTIONS, "cause", "too_big", 1);
    TestDelegate doomed = connect(token, acc, "del-1", Map.of());
    String doomedId = doomed.next("welcome").getString("delegateId");
    assertEquals(204, node.admin().delete("/v1/accounts/" + acc + "/delegates/" + doomedId).status());
    assertEquals(4004, doomed.awaitClose().code());
    d.add(ATTEMPTS, "outcome", "accepted", 1).add(EVICTIONS, "cause", "deleted", 1);
    String soon = createToken(acc, "soon", Instant.now().plusMillis(1500));
    TestDelegate expiring = connect(soon, acc, "exp-1", Map.of());
    assertEquals(4002, expiring.awaitClose().code());
    d.add(ATTEMPTS, "outcome", "accepted", 1).add(EVICTIONS, "cause", "expired", 1);

    // THEN every counter moved by exactly what happened, and nothing else moved
    Scrape after = Scrape.of(node.admin());
    d.check(before, after);
    assertEquals(1, after.value("broker_sessions", "status", "ACTIVE"));
    assertEquals(0, after.value("broker_sessions", "status", "PENDING_APPROVAL"));
    // one revoke that changed a token: one latency sample of this node
    assertEquals(1, after.value("broker_revocation_latency_seconds_count")
        - before.value("broker_revocation_latency_seconds_count"), 0.0001);
    assertTrue(after.find("broker_revocation_latency_seconds_bucket", "le", "+Inf") != null);
    assertEquals(1, after.value("broker_cluster_nodes"));
    assertTrue(after.value("broker_rate_limited_addresses") >= 2, "both addresses are tracked");
    // the PostgreSQL pool is reported by Vert.x under its name
    assertTrue(after.value("vertx_pool_completed_total", "pool_type", "sql", "pool_name", "broker-store")
        > before.value("vertx_pool_completed_total", "pool_type", "sql", "pool_name", "broker-store"));
    assertTrue(after.find("vertx_pool_in_use", "pool_name", "broker-store") != null);
    assertTrue(after.find("vertx_pool_queue_pending", "pool_name", "broker-store") != null);
    // the event-loop probe runs every second on every loop
    Await.until("event-loop lag samples", 10,
        () -> Scrape.of(node.admin()).value("broker_event_loop_lag_seconds_count") > 0);
    assertEquals(0, after.value("broker_blocked_thread_warnings_total", "pool", "event-loop"));
    active.close();
  }

  @Test
  void idleAndDrainClosesAreCounted(Vertx vertx) throws Exception {
    // GIVEN a node with a one-second heartbeat
    Map<String, String> env = TestNode.env(null);
    env.put("BROKER_HEARTBEAT_SECONDS", "1");
    TestNode small = TestNode.start(env);
    AdminClient smallAdmin = new AdminClient(vertx, small.adminPort(), TestNode.ROOT_KEY);
    JsonObject a = smallAdmin.createAccount("Acme");
    String acc = a.getString("id");
    String token = a.getJsonObject("defaultToken").getString("value");
    Scrape before = Scrape.of(smallAdmin);

    // WHEN a delegate stays silent for three periods, answering not even the broker's pings (a raw socket: a library
    // would answer them, and its pongs would keep the session alive)
    try (RawWebSocket silent = RawWebSocket.connect(small.delegatePort(), token, acc, "quiet", "quiet")) {
      RawWebSocket.Frame close = silent.awaitClose(10_000);
      assertEquals(1000, close.closeCode());
      assertEquals("idle_timeout", close.closeReason());
    }

    // THEN it is counted as idle (the close frame can reach the client just before the counter moves: await it)
    double idleBefore = before.value(EVICTIONS, "cause", "idle");
    Await.until("one idle eviction counted", 5,
        () -> Scrape.of(smallAdmin).value(EVICTIONS, "cause", "idle") - idleBefore >= 1);
    Scrape after = Scrape.of(smallAdmin);
    assertEquals(1, after.value(EVICTIONS, "cause", "idle") - idleBefore, 0.0001);

    // WHEN the node drains with one delegate connected
    TestDelegate staying = TestDelegate.connect(node.ws(), small.delegatePort(), token, acc, "stay", Map.of());
    staying.next("welcome");
    small.close();

    // THEN the delegate got 1001 and the registry (readable after the stop) counted one drain close
    assertEquals(1001, staying.awaitClose().code());
    Scrape drained = new Scrape(small.node().meterRegistry().scrape());
    assertEquals(1, drained.value(EVICTIONS, "cause", "drain"));
  }

  private TestDelegate connect(String token, String acc, String name, Map<String, String> headers) {
    TestDelegate d = TestDelegate.connect(node.ws(), node.delegatePort(), token, acc, name, headers);
    return d;
  }

  private static void refused(int status, WebSocketConnectOptions options) {
    refusedWith(node.ws(), status, options);
  }

  private static void refusedWith(WebSocketClient client, int status, WebSocketConnectOptions options) {
    TestDelegate.Refusal r = TestDelegate.refused(client, options);
    assertEquals(status, r.status(), r.body().encode());
  }

  private static String createToken(String acc, String name, Instant expiresAt) {
    AdminClient.Response r = node.admin().post("/v1/accounts/" + acc + "/tokens",
        new JsonObject().put("name", name).put("expiresAt", expiresAt.toString()));
    assertEquals(201, r.status(), r.body());
    return r.json().getString("value");
  }
}
