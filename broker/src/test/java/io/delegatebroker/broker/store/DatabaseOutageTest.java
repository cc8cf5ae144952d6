package io.delegatebroker.broker.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.limits.BrokerLimits;
import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.Await;
import io.delegatebroker.broker.testkit.LogCapture;
import io.delegatebroker.broker.testkit.PrivatePostgres;
import io.delegatebroker.broker.testkit.Scrape;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.delegatebroker.broker.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Verifies a node through a PostgreSQL outage, against a private server the test stops and starts (never the shared
 * one): live sessions stay up, what the node has cached keeps working (known tokens, known delegate names), what it
 * has not is refused with 503 {@code unavailable}, admin calls that need the store get 503, readiness turns 503, and
 * everything recovers by itself when the server is back on the same port.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class DatabaseOutageTest {

  private static final Logger LOG = LoggerFactory.getLogger(DatabaseOutageTest.class);
  /** Blocking callers run side by side (the common pool may have a single thread on two cores). */
  private static final ExecutorService CALLERS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "outage-test-caller");
    t.setDaemon(true);
    return t;
  });

  @Test
  void theNodeRidesOutAnOutageAndRecoversByItself(Vertx vertx) {
    try (PrivatePostgres pg = PrivatePostgres.start(); TestNode node = TestNode.start(TestNode.env(pg.url()));
        LogCapture log = LogCapture.open()) {
      AdminClient admin = new AdminClient(vertx, node.adminPort(), TestNode.ROOT_KEY);
      AdminClient health = admin.withKey(null);
      WebSocketClient ws = TestDelegate.client(vertx);

      // GIVEN a live session, a delegate name and a token the node has seen, and a token it has not
      JsonObject a = admin.createAccount("Acme");
      String acc = a.getString("id");
      String token = a.getJsonObject("defaultToken").getString("value");
      String unseen = admin.createToken(acc, "unseen");
      TestDelegate live = TestDelegate.connect(ws, node.delegatePort(), token, acc, "live", Map.of());
      live.next("welcome");
      TestDelegate known = TestDelegate.connect(ws, node.delegatePort(), token, acc, "known", Map.of());
      known.next("welcome");
      known.close();
      Await.until("the known delegate's session is gone", 10, () -> node.node().sessions().size() == 1);
      TestDelegate watched = TestDelegate.connect(ws, node.delegatePort(), admin.createToken(acc, "watched"), acc,
          "watched", Map.of());
      watched.next("welcome");
      assertEquals(200, health.get("/health/ready").status());
      Scrape before = Scrape.of(admin);

      // WHEN PostgreSQL stops
      pg.stopServer();

      // THEN readiness turns 503
      Await.until("readiness reports the store down", 20, () -> health.get("/health/ready").status() == 503);

      // AND the live session keeps working
      live.send(new JsonObject().put("type", "heartbeat"));
      assertEquals("heartbeat_ack", live.next().getString("type"));

      // AND the known delegate reconnects with its cached token, profile and registration
      TestDelegate back = TestDelegate.connect(ws, node.delegatePort(), token, acc, "known", Map.of());
      assertEquals("ACTIVE", back.next("welcome").getString("status"));

      // AND a token the node never verified, or a delegate name it never registered, get 503 unavailable
      long refusedAt = System.nanoTime();
      TestDelegate.Refusal uncachedToken = TestDelegate.refused(ws,
          TestDelegate.options(node.delegatePort(), unseen, acc, "known"));
      long refusalMillis = (System.nanoTime() - refusedAt) / 1_000_000;
      assertEquals(503, uncachedToken.status(), uncachedToken.body().encode());
      assertEquals("unavailable", uncachedToken.code());
      TestDelegate.Refusal newName = TestDelegate.refused(ws,
          TestDelegate.options(node.delegatePort(), token, acc, "brand-new"));
      assertEquals(503, newName.status(), newName.body().encode());
      assertEquals("unavailable", newName.code());

      // AND admin calls that need the store get 503 unavailable with the contract's body
      AdminClient.Response write = admin.post("/v1/accounts/" + acc + "/tokens", new JsonObject().put("name", "later"));
      assertEquals(503, write.status(), write.body());
      assertEquals("unavailable", write.errorCode());
      AdminClient.Response read = admin.get("/v1/accounts/" + acc + "/tokens");
      assertEquals(503, read.status(), read.body());
      assertEquals("unavailable", read.errorCode());
      AdminClient.Response revoke = admin.post("/v1/accounts/" + acc + "/tokens/default/revoke", null);
      assertEquals(503, revoke.status(), revoke.body());

      // AND background writes fail without hurting sessions (lastUsedAt is kept for the next flush)
      Await.until("a failed lastUsedAt flush", 20, () -> !log.containing("Could not record token use").isEmpty());
      live.send(new JsonObject().put("type", "heartbeat"));
      assertEquals("heartbeat_ack", live.next().getString("type"));
      assertFalse(live.isClosed());
      // AND the token safety net fails quietly: one warning for the outage, however many rounds failed, and no session closed
      Await.until("a failed token safety net round", 20, () -> !log.containing("token safety net: the store cannot").isEmpty());
      assertEquals(1, log.containing("token safety net").size());
      assertFalse(watched.isClosed());
      assertEquals(3, node.node().sessions().size());
      Scrape during = Scrape.of(admin);
      assertEquals(2, during.value("broker_connect_attempts_total", "outcome", "unavailable")
          - before.value("broker_connect_attempts_total", "outcome", "unavailable"), 0.0001);
      // a 503 is the broker's trouble, not the client's: it does not count towards the address's limit
      assertEquals(0, during.value("broker_rate_limited_addresses"));

      // WHEN PostgreSQL is back on the same port
      pg.startServer();

      // THEN the node recovers without a restart
      long restartedAt = System.nanoTime();
      Await.until("readiness reports the store up", 30, () -> health.get("/health/ready").status() == 200);
      LOG.info("stopped database: uncached handshake 503 after {} ms; ready again {} ms after the server was up",
          refusalMillis, (System.nanoTime() - restartedAt) / 1_000_000);
      TestDelegate fresh = TestDelegate.connect(ws, node.delegatePort(), unseen, acc, "brand-new", Map.of());
      assertEquals("ACTIVE", fresh.next("welcome").getString("status"));
      // AND the token safety net resumes: a revocation written behind the node's back closes its session within a period
      long written = System.nanoTime();
      pg.execute("UPDATE tokens SET status = 'REVOKED', revoked_at = now() WHERE name = 'watched'");
      assertEquals(4001, watched.awaitClose().code());
      long safetyNetMillis = (System.nanoTime() - written) / 1_000_000;
      assertTrue(safetyNetMillis < BrokerLimits.DEFAULT_SAFETY_NET_PERIOD.toMillis() + 2000,
          "closed after " + safetyNetMillis + " ms");
      assertEquals(201, admin.post("/v1/accounts/" + acc + "/tokens", new JsonObject().put("name", "later")).status());
      assertEquals(2, admin.get("/v1/accounts/" + acc + "/tokens/default/connections").items().size());
      JsonObject revoked = admin.revoke(acc, "default");
      assertEquals(2, revoked.getInteger("evicted"));
      assertEquals(4001, live.awaitClose().code());
      assertEquals(4001, back.awaitClose().code());
      fresh.close();
      Await.until("every session is gone", 15, () -> node.node().sessions().size() == 0);
    }
  }

  @Test
  void aDatabaseThatStopsAnsweringGets503WithinSecondsNotAHang(Vertx vertx) {
    try (PrivatePostgres pg = PrivatePostgres.start(); TestNode node = TestNode.start(TestNode.env(pg.url()))) {
      AdminClient admin = new AdminClient(vertx, node.adminPort(), TestNode.ROOT_KEY);
      AdminClient health = admin.withKey(null);
      WebSocketClient ws = TestDelegate.client(vertx);

      // GIVEN a live session, a token the node has not seen, and open pool connections
      JsonObject a = admin.createAccount("Acme");
      String acc = a.getString("id");
      String token = a.getJsonObject("defaultToken").getString("value");
      String unseen = admin.createToken(acc, "unseen");
      TestDelegate live = TestDelegate.connect(ws, node.delegatePort(), token, acc, "live", Map.of());
      live.next("welcome");
      assertEquals(200, health.get("/health/ready").status());

      // WHEN the server stops answering (frozen, its connections still open)
      pg.pause();
      try {
        // THEN readiness, an uncached handshake and an admin call, all at once, answer 503 within the store
        // deadline (5 s) instead of hanging
        CompletableFuture<Timed<Integer>> ready = timed(() -> health.get("/health/ready").status());
        CompletableFuture<Timed<TestDelegate.Refusal>> handshake = timed(() -> TestDelegate.refused(ws,
            TestDelegate.options(node.delegatePort(), unseen, acc, "other")));
        CompletableFuture<Timed<AdminClient.Response>> write = timed(() -> admin.post("/v1/accounts/" + acc + "/tokens",
            new JsonObject().put("name", "x")));
        assertEquals(503, ready.join().value());
        assertEquals(503, handshake.join().value().status(), handshake.join().value().body().encode());
        assertEquals("unavailable", handshake.join().value().code());
        assertEquals(503, write.join().value().status(), write.join().value().body());
        assertEquals("unavailable", write.join().value().errorCode());
        for (Timed<?> t : List.of(ready.join(), handshake.join(), write.join())) {
          assertTrue(t.millis() < 15_000, "answered after " + t.millis() + " ms");
        }
        LOG.info("frozen database: readiness 503 after {} ms, handshake 503 after {} ms, admin write 503 after {} ms",
            ready.join().millis(), handshake.join().millis(), write.join().millis());
        // AND the live session is untouched
        live.send(new JsonObject().put("type", "heartbeat"));
        assertEquals("heartbeat_ack", live.next().getString("type"));
      } finally {
        pg.resume();
      }

      // WHEN it answers again THEN the node recovers by itself
      Await.until("readiness reports the store up", 30, () -> health.get("/health/ready").status() == 200);
      TestDelegate fresh = TestDelegate.connect(ws, node.delegatePort(), unseen, acc, "other", Map.of());
      assertEquals("ACTIVE", fresh.next("welcome").getString("status"));
      fresh.close();
      live.close();
      Await.until("every session is gone", 15, () -> node.node().sessions().size() == 0);
    }
  }

  /** A value and how long the call took. */
  record Timed<T>(T value, long millis) {
  }

  private static <T> CompletableFuture<Timed<T>> timed(Supplier<T> call) {
    return CompletableFuture.supplyAsync(() -> {
      long t0 = System.nanoTime();
      T value = call.get();
      return new Timed<>(value, (System.nanoTime() - t0) / 1_000_000);
    }, CALLERS);
  }
}
