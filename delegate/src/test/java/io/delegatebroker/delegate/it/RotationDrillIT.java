package io.delegatebroker.delegate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.Await;
import io.delegatebroker.broker.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The docs' token rotation as a drill, with reference delegates as separate processes: N instances of one delegate
 * run on token A; token B is created; each instance is stopped (SIGTERM) and started again with B, one at a time, as
 * a StatefulSet's rolling update does; then A is revoked. The account never has zero connected delegates, no B
 * session is closed by the revoke (no 4001), and every A session is gone before A is revoked.
 */
@Timeout(180)
class RotationDrillIT {

  static final int N = 3;

  @Test
  void rollingRestartOntoANewTokenHasNoGap() throws Exception {
    Vertx vertx = Vertx.vertx();
    List<DelegateProcess> all = new ArrayList<>();
    try (TestNode node = TestNode.memory()) {
      AdminClient admin = new AdminClient(vertx, node.adminPort(), TestNode.ROOT_KEY);
      JsonObject acc = admin.createAccount("rotation");
      String account = acc.getString("id");
      String tokenA = acc.getJsonObject("defaultToken").getString("value");
      String manager = "ws://127.0.0.1:" + node.delegatePort();
      List<String> secrets = new ArrayList<>(List.of(tokenA));

      // GIVEN N instances on token A
      DelegateProcess[] pods = new DelegateProcess[N];
      for (int i = 0; i < N; i++) {
        pods[i] = DelegateProcess.start(DelegateProcess.env(account, tokenA, manager, "rot", "rot-" + i), secrets);
        all.add(pods[i]);
      }
      for (DelegateProcess p : pods) {
        p.awaitConnected(1, 90);
      }
      Await.until("all on A", 20, () -> connected(admin, account, "default") == N);

      // a watcher counts the account's connected instances throughout the drill
      AtomicBoolean watching = new AtomicBoolean(true);
      AtomicInteger min = new AtomicInteger(Integer.MAX_VALUE);
      AtomicInteger samples = new AtomicInteger();
      Thread watcher = new Thread(() -> {
        while (watching.get()) {
          JsonObject list = admin.get("/v1/accounts/" + account + "/delegates").json();
          int n = list.getJsonArray("items").stream()
              .mapToInt(d -> ((JsonObject) d).getJsonArray("instances").size()).sum();
          min.accumulateAndGet(n, Math::min);
          samples.incrementAndGet();
          try {
            Thread.sleep(20); // pacing of the poller only: the drill's events are awaited below
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "drill-watcher");
      watcher.start();

      // WHEN token B is created and each instance is restarted with it, one at a time
      String tokenB = admin.createToken(account, "rotated");
      secrets.add(tokenB);
      DelegateProcess[] onB = new DelegateProcess[N];
      for (int i = 0; i < N; i++) {
        pods[i].terminate();
        assertEquals(0, pods[i].awaitExit(30), "a stopped instance exits 0:\n" + pods[i].output());
        onB[i] = DelegateProcess.start(DelegateProcess.env(account, tokenB, manager, "rot", "rot-" + i), secrets);
        all.add(onB[i]);
        onB[i].awaitConnected(1, 90); // the orchestrator waits for the pod to be ready
        int ready = i + 1;
        Await.until(ready + " on B", 20, () -> connected(admin, account, "rotated") == ready);
      }

      // THEN A has no session left before it is revoked
      Await.until("A's connectedInstances reaches 0", 20, () -> connected(admin, account, "default") == 0);
      assertEquals(0, admin.get("/v1/accounts/" + account + "/tokens/default/connections").items().size());
      JsonObject revoked = admin.revoke(account, "default");
      assertEquals(0, revoked.getInteger("evicted"), "the revoke closed nothing: " + revoked);
      watching.set(false);
      watcher.join(20_000);

      // AND every B session stayed up through the revoke, none told 4001
      assertEquals(N, connected(admin, account, "rotated"));
      for (DelegateProcess p : onB) {
        assertTrue(p.alive(), p.output());
        assertEquals(0, p.count("4001"), p.output());
        assertEquals(1, p.count("connected to node"), "never reconnected:\n" + p.output());
      }
      System.out.printf("rotation drill: %d instances, %d listing samples, fewest connected %d%n", N, samples.get(),
          min.get());
      assertTrue(samples.get() >= 10, "the watcher sampled the drill (" + samples.get() + " samples)");
      assertTrue(min.get() >= N - 1, "never fewer than N-1 connected instances, min " + min.get());
    } finally {
      for (DelegateProcess p : all) {
        p.close();
      }
      vertx.close();
    }
  }

  private static int connected(AdminClient admin, String account, String token) {
    return admin.get("/v1/accounts/" + account + "/tokens/" + token).json().getInteger("connectedInstances");
  }
}
