package io.delegatebroker.broker.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.limits.BrokerLimits;
import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.Flood;
import io.delegatebroker.broker.testkit.Scrape;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.delegatebroker.broker.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One host floods a node with thousands of half-open and slow connections on both ports, at the default caps: a
 * delegate from another address still connects, a revoke is still answered, the flood holds no more than its
 * per-address share, and every flood connection is closed by the cap or the deadline. Numbers under load are the
 * benchmark's business ({@code loadtest/flood-bench.sh}); this only asserts the behaviour.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class HostileLoadTest {

  static final String ATTACKER = "127.0.0.40";
  static final int DEADLINE_SECONDS = 2;

  @Test
  void aFloodFromOneAddressNeitherKeepsDelegatesOutNorHoldsRevokes(Vertx vertx) throws Exception {
    Map<String, String> env = TestNode.env(null);
    env.put("BROKER_HANDSHAKE_TIMEOUT_SECONDS", Integer.toString(DEADLINE_SECONDS));
    try (TestNode node = TestNode.start(env)) {
      AdminClient admin = new AdminClient(vertx, node.adminPort(), TestNode.ROOT_KEY);
      JsonObject a = admin.createAccount("Acme");
      String acc = a.getString("id");
      String token = a.getJsonObject("defaultToken").getString("value");
      int cap = BrokerLimits.DEFAULT_PENDING_PER_ADDRESS;

      // GIVEN one address holding 1,000 silent, 600 half-sent and 400 slow connections on the delegate port and
      // 500 half-sent on the admin port
      byte[] half = "GET /v1/delegates/connect HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII);
      try (Flood silent = Flood.open(ATTACKER, node.delegatePort(), 1000, new byte[0]);
          Flood halfSent = Flood.open(ATTACKER, node.delegatePort(), 600, half);
          Flood slow = Flood.open(ATTACKER, node.delegatePort(), 400, "G".getBytes(StandardCharsets.US_ASCII));
          Flood adminFlood = Flood.open(ATTACKER, node.adminPort(), 500,
              "POST /v1/accounts HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII))) {
        List<Flood> delegateSide = List.of(silent, halfSent, slow);
        // THEN the node holds at most the address's share of each listener (what the node counts, not what the
        // clients see: connections still in the kernel's accept queue look open to them)
        Scrape during = Scrape.of(admin);
        double heldDelegate = during.value("broker_pending_connections", "listener", "delegate");
        double heldAdmin = during.value("broker_pending_connections", "listener", "admin");
        assertTrue(heldDelegate <= cap, "delegate port holds " + heldDelegate);
        // (on the admin port, plus the idle keep-alive connections of the test's own admin client: at most its pool, 5)
        assertTrue(heldAdmin <= cap + 5, "admin port holds " + heldAdmin);

        // WHEN, during the flood, a delegate from another address connects and its token is revoked
        TestDelegate d = TestDelegate.connect(vertx.createWebSocketClient(new WebSocketClientOptions()
            .setLocalAddress("127.0.0.41")), node.delegatePort(), token, acc, "k8s-east", Map.of());
        // THEN it is welcomed, and the revoke is answered with the session counted
        assertEquals("ACTIVE", d.next("welcome").getString("status"));
        JsonObject revoked = admin.revoke(acc, "default");
        assertEquals(1, revoked.getInteger("evicted"));
        assertEquals(4001, d.awaitClose().code());

        // AND the slow connections, still trickling a byte every 300 ms, are closed by the deadline like the rest
        long end = System.nanoTime() + (DEADLINE_SECONDS + 8) * 1_000_000_000L;
        while (System.nanoTime() < end && slow.stillOpen() > 0) {
          slow.trickle("E".getBytes(StandardCharsets.US_ASCII));
          slow.poll(300);
        }
        for (Flood f : List.of(silent, halfSent, slow, adminFlood)) {
          assertEquals(0, f.poll(20_000), "flood connections left open");
          // (generous: on a machine this busy a connection can wait in the kernel's accept queue for seconds)
          assertTrue(f.longestHeldMillis() < (DEADLINE_SECONDS + 10) * 1000L, "held " + f.longestHeldMillis() + " ms");
        }
        Scrape s = Scrape.of(admin);
        assertEquals(0, s.value("broker_pending_connections", "listener", "delegate"));
        double capped = s.value("broker_connections_closed_total", "listener", "delegate", "reason", "address_cap");
        double timedOut = s.value("broker_connections_closed_total", "listener", "delegate", "reason", "handshake_timeout");
        // (most at once; while the flood was being opened, the deadline freed some of the address's share)
        assertTrue(capped >= 1000, "closed at the cap: " + capped);
        int neverAccepted = delegateSide.stream().mapToInt(Flood::refusedConnects).sum();
        assertEquals(2000, capped + timedOut + neverAccepted, 0.0, "every delegate-port flood connection was closed");
      }
    }
  }
}
