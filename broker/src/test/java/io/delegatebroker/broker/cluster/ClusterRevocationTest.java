package io.delegatebroker.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.limits.BrokerLimits;
import io.delegatebroker.broker.metrics.MicrometerBrokerMetrics;
import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.Await;
import io.delegatebroker.broker.testkit.Fleet;
import io.delegatebroker.broker.testkit.Scrape;
import io.delegatebroker.broker.testkit.TestCluster;
import io.delegatebroker.broker.testkit.TestDatabase;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.delegatebroker.broker.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Verifies the revoke answer over three clustered nodes: {@code evicted} counts every session the revocation closed,
 * whichever path closed it (here the store safety net races the command), a repeated revoke broadcasts again and counts
 * what it closed, and a burst of listings from one account does not push another account's revoke past its deadline.
 * {@code -Dtest.revoke.sessions=12000} runs the count with more sessions (default 2,400, to keep CI lean).
 */
@ExtendWith(VertxExtension.class)
@Timeout(300)
class ClusterRevocationTest {

  static final int SESSIONS = Integer.getInteger("test.revoke.sessions", 2400);
  static TestDatabase db;
  static TestCluster cluster;
  static List<AdminClient> admins = new ArrayList<>();
  static List<Integer> ports = new ArrayList<>();
  static WebSocketClient ws;

  @BeforeAll
  static void start(Vertx vertx) {
    db = new TestDatabase();
    cluster = TestCluster.start(3, db.url());
    for (TestNode n : cluster.nodes()) {
      admins.add(new AdminClient(vertx, n.adminPort(), TestNode.ROOT_KEY));
      ports.add(n.delegatePort());
    }
    ws = Fleet.client(vertx);
  }

  @AfterAll
  static void stop() {
    cluster.close();
    db.close();
  }

  @Test
  void evictedCountsSessionsTheSafetyNetClosedBeforeTheCommandArrived() {
    // GIVEN thousands of sessions of one token spread round-robin over the three nodes
    String acc = admins.get(0).createAccount("Many").getString("id");
    String token = admins.get(0).createToken(acc, "many");
    List<TestDelegate> sessions = Fleet.connect(ws, ports, token, acc, "fleet", "m", SESSIONS);
    assertEquals(SESSIONS, admins.get(1).get("/v1/accounts/" + acc + "/tokens/many").json()
        .getInteger("connectedInstances"));
    List<Double> commandsBefore = revokeCommandsRun();

    // WHEN the revocation lands in the store behind the nodes' backs (as a revoke whose answer was lost would), and the
    // operator's revoke follows as soon as a node's safety net has begun closing sessions on its own
    db.execute("UPDATE tokens SET status = 'REVOKED', revoked_at = now() WHERE account_id = '" + acc
        + "' AND name = 'many'");
    Await.until("a node's safety net closed a session of the revoked token", 20,
        () -> sessions.stream().anyMatch(TestDelegate::isClosed));
    long closedBefore = sessions.stream().filter(TestDelegate::isClosed).count();
    long t0 = System.nanoTime();
    JsonObject revoked = admins.get(0).revoke(acc, "many");
    long millis = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("revoke of " + SESSIONS + " sessions over 3 nodes answered in " + millis + " ms, "
        + closedBefore + " already closed by the safety net when it was sent: " + revoked.encode());

    // THEN the answer counts every session exactly once, every node confirmed, and each session closed with 4001
    assertEquals(SESSIONS, revoked.getInteger("evicted"));
    assertTrue(revoked.getBoolean("complete"));
    assertEquals(new JsonArray(), revoked.getJsonArray("unconfirmed"));
    for (TestDelegate d : sessions) {
      assertEquals(4001, Await.result(d.closeFuture(), 30).code());
    }
    // AND the command did run on every node (the store said the token was revoked already)
    assertRevokeCommandsRanOnEveryNode(commandsBefore);

    // WHEN it is revoked again THEN it is broadcast again and counts what it closed: nothing
    List<Double> beforeRepeat = revokeCommandsRun();
    JsonObject again = admins.get(2).revoke(acc, "many");
    assertEquals(0, again.getInteger("evicted"));
    assertTrue(again.getBoolean("complete"));
    assertEquals(new JsonArray(), again.getJsonArray("unconfirmed"));
    assertEquals(revoked.getString("revokedAt"), again.getString("revokedAt"));
    assertRevokeCommandsRanOnEveryNode(beforeRepeat);
  }

  @Test
  void aBurstOfListingsFromOneAccountDoesNotDelayAnotherAccountsRevoke(Vertx vertx) throws Exception {
    // GIVEN a busy account with sessions over the three nodes, and another account with two tokens' sessions
    String busy = admins.get(0).createAccount("Busy").getString("id");
    String busyToken = admins.get(0).createToken(busy, "b");
    Fleet.connect(ws, ports, busyToken, busy, "busy", "b", 600);
    String victim = admins.get(0).createAccount("Victim").getString("id");
    String v1 = admins.get(0).createToken(victim, "v1");
    String v2 = admins.get(0).createToken(victim, "v2");
    Fleet.connect(ws, ports, v1, victim, "v1", "v1", 150);
    Fleet.connect(ws, ports, v2, victim, "v2", "v2", 150);
    long quiet = timedRevoke(victim, "v1", 150);

    // WHEN the busy account keeps 64 listings in flight against node A, and the victim's token is revoked through A
    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(cluster.node(0).adminPort()), new PoolOptions().setHttp1MaxSize(64));
    List<String> paths = List.of("/v1/accounts/" + busy + "/delegates", "/v1/accounts/" + busy + "/tokens",
        "/v1/accounts/" + busy + "/tokens/b/connections");
    AtomicBoolean stop = new AtomicBoolean();
    ConcurrentLinkedQueue<Long> listingMillis = new ConcurrentLinkedQueue<>();
    AtomicInteger failed = new AtomicInteger();
    CompletableFuture<Void> burst = CompletableFuture.runAsync(() -> {
      Semaphore inFlight = new Semaphore(64);
      for (int i = 0; i < 20_000 && !stop.get(); i++) {
        try {
          if (!inFlight.tryAcquire(10, TimeUnit.SECONDS)) {
            return;
          }
        } catch (InterruptedException e) {
          return;
        }
        long start = System.nanoTime();
        http.request(new RequestOptions().setMethod(HttpMethod.GET).setURI(paths.get(i % paths.size()))
                .putHeader("Authorization", "Bearer " + TestNode.ROOT_KEY).setTimeout(20_000))
            .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp.statusCode())))
            .onComplete(ar -> {
              inFlight.release();
              if (ar.succeeded() && ar.result() == 200) {
                listingMillis.add((System.nanoTime() - start) / 1_000_000);
              } else {
                failed.incrementAndGet();
              }
            });
      }
    });
    Await.until("the listing burst is running", 30, () -> listingMillis.size() >= 200);
    long underBurst = timedRevoke(victim, "v2", 150);
    int listedDuring = listingMillis.size();
    stop.set(true);
    burst.get(60, TimeUnit.SECONDS);

    // THEN the revoke answered complete, well inside its deadline, and the listings were all answered
    List<Long> sorted = new ArrayList<>(listingMillis);
    Collections.sort(sorted);
    System.out.println("isolation: revoke of 150 sessions took " + quiet + " ms quiet, " + underBurst
        + " ms under a burst of 64 concurrent listings of a 600-session account (" + listedDuring
        + " listings answered by then; listing p50 " + sorted.get(sorted.size() / 2) + " ms, p99 "
        + sorted.get(sorted.size() * 99 / 100) + " ms, failed " + failed.get() + ")");
    assertTrue(underBurst < BrokerLimits.DEFAULT_COMMAND_DEADLINE.toMillis(), "revoke took " + underBurst + " ms");
    assertEquals(0, failed.get());
  }

  private long timedRevoke(String acc, String token, int expected) {
    long t0 = System.nanoTime();
    JsonObject revoked = admins.get(0).revoke(acc, token);
    long millis = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(revoked.getBoolean("complete"), revoked.encode());
    assertEquals(expected, revoked.getInteger("evicted"));
    return millis;
  }

  /** How many revoke commands each node has run (its revocation latency histogram's count). */
  private static List<Double> revokeCommandsRun() {
    return admins.stream()
        .map(a -> Scrape.of(a).find(MicrometerBrokerMetrics.REVOCATION_LATENCY + "_seconds_count"))
        .map(v -> v == null ? 0.0 : v).toList();
  }

  private static void assertRevokeCommandsRanOnEveryNode(List<Double> before) {
    List<Double> after = revokeCommandsRun();
    for (int i = 0; i < before.size(); i++) {
      assertEquals(before.get(i) + 1, after.get(i), "revoke commands run on node " + i);
    }
  }

}
