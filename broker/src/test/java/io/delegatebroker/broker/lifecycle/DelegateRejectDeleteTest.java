package io.delegatebroker.broker.lifecycle;

import static io.delegatebroker.broker.lifecycle.LifecycleKit.assertNothingQueued;
import static io.delegatebroker.broker.lifecycle.LifecycleKit.welcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.BrokerNodeExtension.Account;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Verifies rejection and deletion of delegates over real sockets on a PostgreSQL-backed node. */
@Timeout(180)
class DelegateRejectDeleteTest {

  @RegisterExtension
  static final LifecycleKit kit = LifecycleKit.postgres();

  private static void assertClosed(TestDelegate d, int code, String reason) {
    TestDelegate.Close close = d.awaitClose();
    assertEquals(code, close.code(), "close code");
    assertEquals(reason, close.reason());
  }

  /**
   * Verifies that rejecting a pending delegate closes its sessions with 4003, removes it, and refuses its name with
   * 403 from then on, also after the node restarts.
   */
  @Test
  void rejectedDelegateIsClosedRemovedAndRefusedForGood() {
    // GIVEN a pending delegate with two live instances
    Account acc = kit.newAccount();
    kit.createProfile(acc, "gated", true, null);
    TestDelegate one = kit.connect(acc, acc.token(), "untrusted", "i-1", "gated");
    String id = welcome(one).getString("delegateId");
    TestDelegate two = kit.connect(acc, acc.token(), "untrusted", "i-2", "gated");
    welcome(two);

    // WHEN it is rejected
    AdminClient.Response r = kit.reject(acc, id);

    // THEN the answer is 200, both sessions close with 4003, and it leaves the list
    assertEquals(200, r.status(), r.body());
    assertEquals(id, r.json().getString("id"));
    assertClosed(one, 4003, "delegate_rejected");
    assertClosed(two, 4003, "delegate_rejected");
    assertNull(kit.listed(acc, null, id));
    AdminClient.Response gone = kit.admin().get(acc.path("/delegates/" + id));
    assertEquals(404, gone.status(), gone.body());
    assertEquals("not_found", gone.errorCode());

    // AND later connections under its name are refused, whatever profile or token they present
    String other = kit.admin().createToken(acc.id(), "other-token");
    TestDelegate.Refusal refusal = kit.refused(acc, acc.token(), "untrusted", "gated");
    assertEquals(403, refusal.status());
    assertEquals("delegate_rejected", refusal.code());
    assertEquals("delegate_rejected", kit.refused(acc, other, "untrusted", null).code());

    // AND a second reject, or an approve, finds no delegate
    assertEquals(404, kit.reject(acc, id).status());
    assertEquals(404, kit.approve(acc, id).status());

    // WHEN the node restarts THEN the name is still refused, and other names still connect
    kit.restart();
    TestDelegate.Refusal afterRestart = kit.refused(acc, acc.token(), "untrusted", "gated");
    assertEquals(403, afterRestart.status());
    assertEquals("delegate_rejected", afterRestart.code());
    assertEquals("PENDING_APPROVAL", welcome(kit.connect(acc, acc.token(), "trusted", null, "gated")).getString("status"));
  }

  /** Verifies that rejecting an ACTIVE delegate is a conflict and leaves it connected and listed. */
  @Test
  void rejectOfActiveDelegateIsConflict() {
    // GIVEN an active delegate with a live session
    Account acc = kit.newAccount();
    TestDelegate d = kit.connect(acc, acc.token(), "registered", null, null);
    String id = welcome(d).getString("delegateId");

    // WHEN it is rejected
    AdminClient.Response r = kit.reject(acc, id);

    // THEN 409, and nothing changed
    assertEquals(409, r.status(), r.body());
    assertEquals("conflict", r.errorCode());
    assertNothingQueued(d);
    assertEquals("ACTIVE", kit.listed(acc, "ACTIVE", id).getString("status"));
    assertEquals(404, kit.reject(acc, "no-such-delegate").status());
  }

  /** Verifies that deleting a pending delegate closes its sessions with 4004, and its name then registers anew. */
  @Test
  void deletedPendingDelegateIsClosedAndRegistersAnew() {
    Account acc = kit.newAccount();
    kit.createProfile(acc, "gated", true, null);
    deleteAndReconnect(acc, "gated", "PENDING_APPROVAL");
  }

  /** Verifies that deleting an active delegate closes its sessions with 4004, and its name then registers anew. */
  @Test
  void deletedActiveDelegateIsClosedAndRegistersAnew() {
    Account acc = kit.newAccount();
    deleteAndReconnect(acc, null, "ACTIVE");
  }

  private void deleteAndReconnect(Account acc, String profile, String status) {
    // GIVEN a delegate in the given state with two live instances
    TestDelegate one = kit.connect(acc, acc.token(), "doomed", "i-1", profile);
    JsonObject w = welcome(one);
    assertEquals(status, w.getString("status"));
    String id = w.getString("delegateId");
    TestDelegate two = kit.connect(acc, acc.token(), "doomed", "i-2", profile);
    welcome(two);

    // WHEN it is deleted
    AdminClient.Response r = kit.delete(acc, id);

    // THEN 204, both sessions close with 4004, and it is gone
    assertEquals(204, r.status(), r.body());
    assertClosed(one, 4004, "delegate_deleted");
    assertClosed(two, 4004, "delegate_deleted");
    assertNull(kit.listed(acc, null, id));
    assertEquals(404, kit.admin().get(acc.path("/delegates/" + id)).status());
    AdminClient.Response again = kit.delete(acc, id);
    assertEquals(404, again.status(), again.body());
    assertEquals("not_found", again.errorCode());

    // WHEN an instance connects again under the name THEN it is registered anew, with a new id
    TestDelegate back = kit.connect(acc, acc.token(), "doomed", "i-1", profile);
    JsonObject w2 = welcome(back);
    String newId = w2.getString("delegateId");
    assertNotEquals(id, newId);
    assertEquals(status, w2.getString("status"));
    JsonObject listed = kit.listed(acc, null, newId);
    assertEquals(status, listed.getString("status"));
    assertEquals(1, listed.getJsonArray("instances").size());
    assertNothingQueued(back);
    assertFalse(back.isClosed());
  }
}
