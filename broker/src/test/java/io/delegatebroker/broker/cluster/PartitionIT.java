package io.delegatebroker.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.limits.BrokerLimits;
import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.Await;
import io.delegatebroker.broker.testkit.NetLab;
import io.delegatebroker.broker.testkit.NetLab.Net;
import io.delegatebroker.broker.testkit.NodeProcess;
import io.delegatebroker.broker.testkit.PrivatePostgres;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.delegatebroker.broker.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Verifies revocation through real network partitions: three broker processes, each in a network namespace of its own
 * with three networks (peer, db, front; see {@code cluster-config/netlab.sh}), and a private PostgreSQL in a fourth.
 * The test reaches the nodes over the front network, so it sees every session whichever network is cut.
 * <ul>
 *   <li>node C cut off its peers but not the database: a revoke through node A answers {@code complete:false}, the
 *   sessions on A and B close at once, C's close within one period of the token safety net, and after healing the
 *   cluster merges back to three and every listing is right;</li>
 *   <li>node C cut off the database but not its peers: the broadcast still reaches it, the revoke is complete, C stays
 *   up for its other sessions and reports itself not ready until the database is back.</li>
 * </ul>
 */
@Timeout(240)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PartitionIT {

  private static final int NODES = 3;
  /** Sessions per node of each token. */
  private static final int PER_NODE = 2;

  NetLab lab;
  PrivatePostgres pg;
  List<NodeProcess> nodes = new ArrayList<>();
  List<AdminClient> admins = new ArrayList<>();
  Vertx vertx;
  WebSocketClient ws;

  @BeforeAll
  void start() {
    lab = NetLab.up(NODES);
    try {
      pg = PrivatePostgres.startIn(lab.db(), lab.dbAddress(), 5432);
      String cluster = "partition-" + UUID.randomUUID().toString().substring(0, 8);
      String members = IntStream.rangeClosed(1, NODES).mapToObj(i -> lab.address(i, Net.PEER) + ":5701")
          .collect(Collectors.joining(","));
      for (int i = 1; i <= NODES; i++) {
        Map<String, String> env = Map.of(
            "BROKER_HOST", "0.0.0.0",
            "BROKER_ADMIN_KEY", TestNode.ROOT_KEY,
            "BROKER_PG_URL", pg.url(),
            "BROKER_CLUSTER_MEMBERS", members,
            "BROKER_CLUSTER_HOST", lab.address(i, Net.PEER),
            "BROKER_CLUSTER_NAME", cluster,
            "BROKER_NODE_ID", nodeId(i),
            "BROKER_DELEGATE_PORT", "8080",
            "BROKER_ADMIN_PORT", "8081");
        nodes.add(NodeProcess.launchIn(lab.node(i), lab.address(i, Net.FRONT), env));
      }
      nodes.forEach(n -> n.awaitReady(Duration.ofSeconds(120)));
      vertx = Vertx.vertx();
      for (NodeProcess n : nodes) {
        admins.add(new AdminClient(vertx, new HttpClientOptions().setDefaultHost(n.host()).setDefaultPort(n.adminPort()),
            TestNode.ROOT_KEY));
      }
      ws = TestDelegate.client(vertx);
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
  }

  @AfterAll
  void stop() {
    nodes.forEach(NodeProcess::close);
    if (vertx != null) {
      vertx.close();
    }
    if (pg != null) {
      pg.close();
    }
    lab.close();
  }

  @BeforeEach
  void wholeCluster() {
    for (int i = 0; i < NODES; i++) {
      awaitClusterSize(i, NODES, Duration.ofSeconds(60));
    }
  }

  private static String nodeId(int i) {
    return "node-" + (char) ('a' + i - 1);
  }

  @Test
  void aNodeCutOffItsPeersStillEvictsAndRejoins() {
    // GIVEN two tokens with sessions on every node
    JsonObject account = admins.get(0).createAccount("Split");
    String acc = account.getString("id");
    String victimToken = admins.get(0).createToken(acc, "victim");
    List<TestDelegate> victims = connectSpread(victimToken, acc, "v");
    List<TestDelegate> bystanders = connectSpread(admins.get(0).createToken(acc, "bystander"), acc, "b");

    // WHEN node C is cut off the peer network (it still reaches the database) and the token is revoked through A
    List<io.vertx.core.Future<Long>> closedOnC = victims.subList(2 * PER_NODE, 3 * PER_NODE).stream()
        .map(d -> d.closeFuture().map(c -> System.nanoTime())).toList();
    lab.cut(3, Net.PEER);
    long healed;
    try {
      long t0 = System.nanoTime();
      JsonObject revoked = admins.get(0).revoke(acc, "victim");
      long answerMillis = millisSince(t0);

      // THEN the answer is incomplete, counts the sessions of A and B, and names C
      System.out.println("revoke with node C partitioned answered in " + answerMillis + " ms: " + revoked.encode());
      assertFalse(revoked.getBoolean("complete"), revoked.encode());
      assertEquals(2 * PER_NODE, revoked.getInteger("evicted"), revoked.encode());
      assertTrue(answerMillis < 9000, "answered after " + answerMillis + " ms");
      assertEquals(new JsonArray().add(nodeId(3)), revoked.getJsonArray("unconfirmed"), revoked.encode());
      victims.subList(0, 2 * PER_NODE).forEach(d -> assertEquals(4001, d.awaitClose().code()));

      // AND node C, which never got the broadcast, closes its sessions within one period of the token safety net
      for (TestDelegate d : victims.subList(2 * PER_NODE, 3 * PER_NODE)) {
        assertEquals(4001, d.awaitClose().code());
      }
      long isolatedMillis = closedOnC.stream().mapToLong(f -> Await.result(f)).max().orElseThrow() / 1_000_000
          - t0 / 1_000_000;
      System.out.println("partitioned node C closed its sessions " + isolatedMillis + " ms after the revoke was sent");
      assertTrue(isolatedMillis < BrokerLimits.DEFAULT_SAFETY_NET_PERIOD.toMillis() + 3000, "took " + isolatedMillis + " ms");
      assertEquals(401, TestDelegate.refused(ws, options(3, victimToken, acc, "late")).status());

      // AND each side sees only itself once the failure detector has spoken
      awaitClusterSize(0, NODES - 1, Duration.ofSeconds(30));
      awaitClusterSize(2, 1, Duration.ofSeconds(30));
    } finally {
      // WHEN the peer network is healed
      lab.heal(3, Net.PEER);
      healed = System.nanoTime();
    }

    // THEN the cluster merges back to three nodes, seen from every node
    for (int i = 0; i < NODES; i++) {
      awaitClusterSize(i, NODES, Duration.ofSeconds(90));
    }
    System.out.println("cluster merged " + millisSince(healed) + " ms after the partition healed");

    // AND the listings are right everywhere: every bystander session on its node, none of the revoked token
    Set<String> expected = new TreeSet<>();
    for (int i = 1; i <= NODES; i++) {
      for (int k = 0; k < PER_NODE; k++) {
        expected.add(nodeId(i) + "/b-" + i + "-" + k);
      }
    }
    for (int i = 0; i < NODES; i++) {
      int via = i;
      Await.until("the bystander listing through " + nodeId(via + 1), 30,
          () -> expected.equals(listed(via, acc, "bystander")));
      assertEquals(Set.of(), listed(via, acc, "victim"));
      assertEquals(List.of(PER_NODE, PER_NODE, PER_NODE), sessionsPerNode(via));
    }
    bystanders.forEach(d -> assertFalse(d.isClosed()));
  }

  @Test
  void aNodeCutOffTheDatabaseStillEvictsThroughItsPeers() {
    // GIVEN two tokens with sessions on every node
    JsonObject account = admins.get(0).createAccount("No database");
    String acc = account.getString("id");
    List<TestDelegate> victims = connectSpread(admins.get(0).createToken(acc, "victim"), acc, "v");
    List<TestDelegate> bystanders = connectSpread(admins.get(0).createToken(acc, "bystander"), acc, "b");
    AdminClient healthC = admins.get(2).withKey(null);

    // WHEN node C is cut off the database network (it still reaches its peers)
    lab.cut(3, Net.DB);
    try {
      // THEN it reports itself not ready, and stays in the cluster
      Await.until("node C reports the store down", 30, () -> healthC.get("/health/ready").status() == 503);
      assertEquals(NODES, clusterNodes(0).size());

      // WHEN the token is revoked through A
      JsonObject revoked = admins.get(0).revoke(acc, "victim");

      // THEN the broadcast reaches C too: the revoke is complete and counts every session
      System.out.println("revoke with node C cut off the database: " + revoked.encode());
      assertTrue(revoked.getBoolean("complete"), revoked.encode());
      assertEquals(NODES * PER_NODE, revoked.getInteger("evicted"), revoked.encode());
      assertEquals(new JsonArray(), revoked.getJsonArray("unconfirmed"), revoked.encode());
      victims.forEach(d -> assertEquals(4001, d.awaitClose().code()));

      // AND C keeps its other sessions, and refuses what needs the store with 503
      TestDelegate onC = bystanders.get(2 * PER_NODE);
      onC.send(new JsonObject().put("type", "heartbeat"));
      assertEquals("heartbeat_ack", onC.next().getString("type"));
      assertEquals(503, admins.get(2).get("/v1/accounts/" + acc + "/tokens").status());
    } finally {
      lab.heal(3, Net.DB);
    }

    // WHEN the database network is healed THEN C is ready again and the listings are right
    Await.until("node C reports ready", 30, () -> healthC.get("/health/ready").status() == 200);
    for (int i = 0; i < NODES; i++) {
      assertEquals(NODES * PER_NODE, listed(i, acc, "bystander").size());
      assertEquals(Set.of(), listed(i, acc, "victim"));
    }
    bystanders.forEach(d -> assertFalse(d.isClosed()));
  }

  // ---------------------------------------------------------------- helpers

  private WebSocketConnectOptions options(int node, String token, String acc, String name) {
    return TestDelegate.options(8080, token, acc, name).setHost(lab.address(node, Net.FRONT));
  }

  /** {@link #PER_NODE} sessions of the token on every node, in node order; instance {@code prefix-node-k}. */
  private List<TestDelegate> connectSpread(String token, String acc, String prefix) {
    List<TestDelegate> out = new ArrayList<>();
    for (int i = 1; i <= NODES; i++) {
      for (int k = 0; k < PER_NODE; k++) {
        WebSocketConnectOptions o = options(i, token, acc, prefix + "-fleet")
            .addHeader("X-Delegate-Instance", prefix + "-" + i + "-" + k);
        TestDelegate d = TestDelegate.connect(ws, o);
        assertEquals(nodeId(i), d.next("welcome").getString("node"));
        out.add(d);
      }
    }
    return out;
  }

  /** The token's connections listed through node {@code via}, as node/instance. */
  private Set<String> listed(int via, String acc, String token) {
    JsonArray items = admins.get(via).get("/v1/accounts/" + acc + "/tokens/" + token + "/connections").items();
    Set<String> out = new TreeSet<>();
    items.forEach(o -> out.add(((JsonObject) o).getString("node") + "/" + ((JsonObject) o).getString("instance")));
    return out;
  }

  private JsonArray clusterNodes(int via) {
    return admins.get(via).get("/v1/cluster").json().getJsonArray("nodes");
  }

  /** Sessions of each node, in node order, as node {@code via} reports them. */
  private List<Integer> sessionsPerNode(int via) {
    Map<String, Integer> byId = clusterNodes(via).stream().map(o -> (JsonObject) o)
        .collect(Collectors.toMap(n -> n.getString("id"), n -> n.getInteger("sessions")));
    return IntStream.rangeClosed(1, NODES).mapToObj(i -> byId.getOrDefault(nodeId(i), -1)).toList();
  }

  private void awaitClusterSize(int via, int size, Duration timeout) {
    Await.until("node " + nodeId(via + 1) + " sees " + size + " nodes", (int) timeout.toSeconds(), () -> {
      try {
        return clusterNodes(via).size() == size;
      } catch (RuntimeException e) {
        return false;
      }
    });
  }

  private static long millisSince(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
