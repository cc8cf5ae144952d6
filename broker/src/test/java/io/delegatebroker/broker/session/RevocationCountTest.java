package io.delegatebroker.broker.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.FakeWebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Verifies, without sockets, the node-local half of the exact revoke count and of roaming: whatever interleaves — the
 * revoke command, the store safety net and connects racing both, on different threads — the revoke answers add up to
 * exactly the sessions closed for the revocation, each reported once; and a claim from another node closes only an
 * older session of the instance.
 */
@Timeout(20)
class RevocationCountTest {

  private final AtomicInteger closedRevoked = new AtomicInteger();
  private final SessionIndex index = new SessionIndex(new Tombstones(), end -> {
    if (end.reason() == CloseReason.TOKEN_REVOKED) {
      closedRevoked.incrementAndGet();
    }
  });

  private static DelegateSession session(String token, String instance) {
    return new DelegateSession("acc", "d1", "fleet", instance, token, false, new FakeWebSocket().socket());
  }

  @RepeatedTest(5)
  void revokeAnswersCountEverySessionClosedForTheRevocationOnce() throws Exception {
    // GIVEN 3,000 sessions of a token
    for (int i = 0; i < 3000; i++) {
      assertTrue(index.add(session("t1", "i-" + i)));
    }
    // WHEN connects keep arriving while the safety net and the command end the token on other threads
    CountDownLatch go = new CountDownLatch(1);
    CompletableFuture<Void> connects = CompletableFuture.runAsync(() -> {
      await(go);
      for (int i = 0; i < 2000; i++) {
        index.add(session("t1", "late-" + i));
      }
    });
    CompletableFuture<Integer> safetyNet = CompletableFuture.supplyAsync(() -> {
      await(go);
      return index.endToken("t1", CloseReason.TOKEN_REVOKED);
    });
    CompletableFuture<Integer> command = CompletableFuture.supplyAsync(() -> {
      await(go);
      return index.revokeToken("t1");
    });
    go.countDown();
    connects.get();
    safetyNet.get();
    int answered = command.get();
    int repeated = index.revokeToken("t1");

    // THEN no session of the token is left, and the two answers count every closed session exactly once
    assertTrue(index.ofToken("t1").isEmpty());
    assertEquals(closedRevoked.get(), answered + repeated);
    assertEquals(5000, closedRevoked.get());
    // AND a further repeat counts nothing
    assertEquals(0, index.revokeToken("t1"));
  }

  @Test
  void aClaimFromAnotherNodeClosesOnlyAnOlderSessionOfTheInstance() {
    DelegateSession local = session("t1", "pod-1");
    index.add(local);
    // a claim stamped before the local connect leaves it open
    assertFalse(index.yieldTo(local.instanceKey(), local.connectStamp() - 1, "node-b", "node-a"));
    assertFalse(local.closed());
    // a claim with the same stamp is ordered by node id: node-0 sorts before node-a, so node-a keeps its session
    assertFalse(index.yieldTo(local.instanceKey(), local.connectStamp(), "node-0", "node-a"));
    // a later claim closes it with 4005, and a session connected here after hearing of it wins over it
    long remote = local.connectStamp() + 5;
    assertTrue(index.yieldTo(local.instanceKey(), remote, "node-b", "node-a"));
    assertEquals(CloseReason.REPLACED, local.closeReason());
    DelegateSession later = session("t1", "pod-1");
    index.add(later);
    assertTrue(later.connectStamp() > remote, "stamps after an observed claim are larger");
    assertFalse(index.yieldTo(later.instanceKey(), remote, "node-b", "node-a"));
    assertFalse(later.closed());
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
