package io.delegatebroker.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.Await;
import io.delegatebroker.broker.testkit.TestCluster;
import io.delegatebroker.broker.testkit.TestDatabase;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.delegatebroker.broker.testkit.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Verifies that three clustered nodes act as one broker: revocation, listings, approval and messages cross nodes. */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class ClusterRoutingTest {

  static TestDatabase db;
  static TestCluster cluster;
  static List<AdminClient> admins = new ArrayList<>();
  static WebSocketClient ws;

  @BeforeAll
  static void start(Vertx vertx) {
    db = new TestDatabase();
    // The race below makes hundreds of refused connects from this address: lift the failed-handshake limit so the
    // tests after it are not answered 429.
    List<Map<String, String>> envs = TestCluster.envs(3, db.url());
    envs.forEach(env -> env.put("BROKER_HANDSHAKE_FAILURE_LIMIT", "100000"));
    cluster = TestCluster.start(envs);
    for (TestNode n : cluster.nodes()) {
      admins.add(new AdminClient(vertx, n.adminPort(), TestNode.ROOT_KEY));
    }
    ws = TestDelegate.client(vertx);
  }

  @AfterAll
  static void stop() {
    cluster.close();
    db.close();
  }

  @Test
  void everyNodeListsTheWholeCluster() {
    for (int i = 0; i < 3; i++) {
      JsonArray nodes = admins.get(i).get("/v1/cluster").json().getJsonArray("nodes");
      assertEquals(3, nodes.size(), "node " + i + " sees " + nodes);
      long self = nodes.stream().filter(o -> ((JsonObject) o).getBoolean("self")).count();
      assertEquals(1, self);
    }
  }

  @Test
  void revokeThroughOneNodeEvictsSessionsOnEveryNodeWithExactCount() {
    // GIVEN sessions of one token spread over the three nodes, and one session of another token
    JsonObject account = admins.get(0).createAccount("Spread");
    String acc = account.getString("id");
    String token = admins.get(1).createToken(acc, "spread");
    String other = account.getJsonObject("defaultToken").getString("value");
    List<TestDelegate> sessions = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      TestNode n = cluster.node(i % 3);
      TestDelegate d = TestDelegate.connect(ws, n.delegatePort(), token, acc, "fleet", Map.of("X-Delegate-Instance", "i-" + i));
      d.next("welcome");
      sessions.add(d);
    }
    TestDelegate bystander = TestDelegate.connect(ws, cluster.node(2).delegatePort(), other, acc, "bystander", Map.of());
    bystander.next("welcome");

    // THEN every node lists all nine connections of the token, with their nodes
    for (AdminClient admin : admins) {
      JsonArray conns = admin.get("/v1/accounts/" + acc + "/tokens/spread/connections").items();
      assertEquals(9, conns.size());
      Set<String> nodes = new HashSet<>();
      conns.forEach(o -> nodes.add(((JsonObject) o).getString("node")));
      assertEquals(Set.of("node-a", "node-b", "node-c"), nodes);
      assertEquals(9, admin.get("/v1/accounts/" + acc + "/tokens/spread").json().getInteger("connectedInstances"));
    }

    // WHEN the token is revoked through node C
    JsonObject revoked = admins.get(2).revoke(acc, "spread");

    // THEN the answer counts every session cluster-wide, every node confirmed, each session closed with 4001
    assertEquals(9, revoked.getInteger("evicted"));
    assertTrue(revoked.getBoolean("complete"));
    assertEquals(new JsonArray(), revoked.getJsonArray("unconfirmed"));
    for (TestDelegate d : sessions) {
      assertEquals(4001, d.awaitClose().code());
    }
    assertTrue(admins.get(0).get("/v1/accounts/" + acc + "/tokens/spread/connections").items().isEmpty());
    assertTrue(!bystander.isClosed(), "a session of another token stayed up");
    bystander.send(new JsonObject().put("type", "heartbeat"));
    assertEquals("heartbeat_ack", bystander.next().getString("type"));
  }

  @Test
  void connectsRacingARevokeOnAllNodesLeaveNoSurvivor() throws Exception {
    // GIVEN a token and 240 connects of it started on the three nodes at once
    JsonObject account = admins.get(0).createAccount("Race");
    String acc = account.getString("id");
    String token = admins.get(0).createToken(acc, "racy");
    List<Future<TestDelegate>> attempts = new ArrayList<>();
    CountDownLatch someAccepted = new CountDownLatch(40);
    // WHEN the token is revoked through node B as soon as 40 sessions are up, while the other connects are in flight
    var revoke = CompletableFuture.supplyAsync(() -> {
      try {
        someAccepted.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return admins.get(1).revoke(acc, "racy");
    });
    for (int i = 0; i < 240; i++) {
      TestNode n = cluster.node(i % 3);
      var options = TestDelegate.options(n.delegatePort(), token, acc, "racer");
      options.addHeader("X-Delegate-Instance", "r-" + i);
      attempts.add(TestDelegate.connectAsync(ws, options).onSuccess(d -> someAccepted.countDown()));
    }
    JsonObject revoked = revoke.get(60, TimeUnit.SECONDS);
    assertTrue(revoked.getBoolean("complete"));
    Await.result(Future.join(attempts).transform(ar -> Future.succeededFuture()), 60);

    // THEN every attempt was either refused or its session is closed with 4001
    int accepted = 0;
    for (var f : attempts) {
      if (f.succeeded()) {
        accepted++;
        assertEquals(4001, f.result().awaitClose().code());
      } else {
        // Refused: invalid token, or rate limited once this address has failed often enough.
        var refusal = ((TestDelegate.RefusedException) f.cause()).refusal;
        assertTrue(refusal.status() == 401 || refusal.status() == 429, "refused with " + refusal);
      }
    }
    System.out.println("race: " + accepted + " sessions accepted, " + revoked.getInteger("evicted")
        + " evicted by the revoke call, all closed with 4001");
    assertTrue(accepted >= 40);
    assertTrue(revoked.getInteger("evicted") <= accepted);
    for (AdminClient admin : admins) {
      assertTrue(admin.get("/v1/accounts/" + acc + "/tokens/racy/connections").items().isEmpty());
    }
    for (TestNode n : cluster.nodes()) {
      assertTrue(n.node().sessions().matching(sess -> sess.accountId().equals(acc)).isEmpty(),
          "node " + n.nodeId() + " still indexes a session of the revoked token");
    }
  }

  @Test
  void approvalAndMessagesReachTheNodeHoldingTheSession() {
    // GIVEN a pending delegate connected to node C
    JsonObject account = admins.get(0).createAccount("Approvals");
    String acc = account.getString("id");
    String token = account.getJsonObject("defaultToken").getString("value");
    admins.get(0).post("/v1/accounts/" + acc + "/profiles", new JsonObject().put("name", "gated").put("approvalRequired", true));
    TestDelegate d = TestDelegate.connect(ws, cluster.node(2).delegatePort(), token, acc, "gated-1",
        Map.of("X-Delegate-Profile", "gated"));
    JsonObject welcome = d.next("welcome");
    assertEquals("PENDING_APPROVAL", welcome.getString("status"));
    String id = welcome.getString("delegateId");

    // WHEN node A approves it THEN the delegate on node C is told
    var approved = admins.get(0).post("/v1/accounts/" + acc + "/delegates/" + id + "/approve", null);
    assertEquals(200, approved.status());
    assertEquals("approved", d.next().getString("type"));

    // WHEN node B sends it a message THEN it arrives on node C and is counted once
    var sent = admins.get(1).post("/v1/accounts/" + acc + "/delegates/" + id + "/messages",
        new JsonObject().put("payload", new JsonObject().put("task", "deploy")));
    assertEquals(202, sent.status());
    assertEquals(1, sent.json().getInteger("delivered"));
    JsonObject msg = d.next("message");
    assertEquals("deploy", msg.getJsonObject("payload").getString("task"));

    // AND every node shows the instance on node C
    JsonObject listed = admins.get(1).get("/v1/accounts/" + acc + "/delegates/" + id).json();
    assertEquals("node-c", listed.getJsonArray("instances").getJsonObject(0).getString("node"));

    // WHEN node B deletes it THEN the session on node C closes with 4004
    assertEquals(204, admins.get(1).delete("/v1/accounts/" + acc + "/delegates/" + id).status());
    assertEquals(4004, d.awaitClose().code());
  }

  @Test
  void anInstanceReconnectingThroughAnotherNodeReplacesItsSessionThere() {
    // GIVEN instance pod-1 of a delegate connected to node A
    JsonObject account = admins.get(0).createAccount("Roaming");
    String acc = account.getString("id");
    String token = account.getJsonObject("defaultToken").getString("value");
    TestDelegate first = TestDelegate.connect(ws, cluster.node(0).delegatePort(), token, acc, "roamer",
        Map.of("X-Delegate-Instance", "pod-1"));
    first.next("welcome");

    // WHEN the same instance connects through node B (a load balancer sent it elsewhere)
    TestDelegate second = TestDelegate.connect(ws, cluster.node(1).delegatePort(), token, acc, "roamer",
        Map.of("X-Delegate-Instance", "pod-1"));
    second.next("welcome");

    // THEN the old session on node A closes with 4005 replaced, and every node lists one session, on node B
    TestDelegate.Close close = first.awaitClose();
    assertEquals(4005, close.code());
    assertEquals("replaced", close.reason());
    for (AdminClient admin : admins) {
      JsonArray conns = admin.get("/v1/accounts/" + acc + "/tokens/default/connections").items();
      assertEquals(1, conns.size(), conns.encode());
      assertEquals("node-b", conns.getJsonObject(0).getString("node"));
    }
    second.send(new JsonObject().put("type", "heartbeat"));
    assertEquals("heartbeat_ack", second.next().getString("type"));
  }

  @Test
  void instancesConnectingOnTwoNodesAtOnceKeepExactlyOneSessionEach() {
    // GIVEN a registered delegate
    JsonObject account = admins.get(0).createAccount("Concurrent");
    String acc = account.getString("id");
    String token = account.getJsonObject("defaultToken").getString("value");
    TestDelegate warm = TestDelegate.connect(ws, cluster.node(2).delegatePort(), token, acc, "twin", Map.of());
    warm.next("welcome");
    warm.close();

    // WHEN each of 40 instances connects through node A and node B at the same moment
    int n = 40;
    List<Future<TestDelegate>> onA = new ArrayList<>();
    List<Future<TestDelegate>> onB = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      onA.add(TestDelegate.connectAsync(ws, TestDelegate.options(cluster.node(0).delegatePort(), token, acc, "twin")
          .addHeader("X-Delegate-Instance", "t-" + i)));
      onB.add(TestDelegate.connectAsync(ws, TestDelegate.options(cluster.node(1).delegatePort(), token, acc, "twin")
          .addHeader("X-Delegate-Instance", "t-" + i)));
    }
    Await.result(Future.all(onA), 60);
    Await.result(Future.all(onB), 60);

    // THEN of each pair exactly one session stays: the other closes with 4005, whichever node it was on
    Await.until("one session of each pair closed", 20, () -> {
      for (int i = 0; i < n; i++) {
        if (!onA.get(i).result().isClosed() && !onB.get(i).result().isClosed()) {
          return false;
        }
      }
      return true;
    });
    JsonArray conns = admins.get(2).get("/v1/accounts/" + acc + "/tokens/default/connections").items();
    assertEquals(n, conns.size(), conns.encode());
    Set<String> instances = new HashSet<>();
    conns.forEach(o -> instances.add(((JsonObject) o).getString("instance")));
    assertEquals(n, instances.size());
    int keptOnA = 0;
    for (int i = 0; i < n; i++) {
      TestDelegate a = onA.get(i).result();
      TestDelegate b = onB.get(i).result();
      assertTrue(a.isClosed() != b.isClosed(), "instance t-" + i + ": exactly one of its two sessions is closed");
      TestDelegate closed = a.isClosed() ? a : b;
      TestDelegate kept = a.isClosed() ? b : a;
      assertEquals(4005, closed.awaitClose().code());
      kept.send(new JsonObject().put("type", "heartbeat"));
      assertEquals("heartbeat_ack", kept.next("heartbeat_ack").getString("type"));
      keptOnA += kept == a ? 1 : 0;
    }
    System.out.println("concurrent connects of " + n + " instances on two nodes: " + keptOnA + " kept on node A, "
        + (n - keptOnA) + " on node B");
  }
}
