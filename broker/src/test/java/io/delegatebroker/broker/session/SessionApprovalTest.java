package io.delegatebroker.broker.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.FakeWebSocket;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Verifies, without sockets, how approval meets a session that is being indexed and welcomed: whatever the order,
 * the session ends up approved, the welcome is its first frame, and {@code approved} is sent at most once.
 */
@Timeout(10)
class SessionApprovalTest {

  private final SessionIndex index = new SessionIndex(new Tombstones(), end -> { });

  /** The text frames a session wrote, in order. */
  private static final class Recorder {
    private final FakeWebSocket socket = new FakeWebSocket();

    ServerWebSocket socket() {
      return socket.socket();
    }

    List<String> types() {
      return socket.texts().stream().map(JsonObject::new)
          .map(f -> f.getString("type") + (f.containsKey("status") ? ":" + f.getString("status") : "")).toList();
    }
  }

  private static DelegateSession pending(String delegateId, String instance, Recorder rec) {
    return new DelegateSession("acc", delegateId, "name-" + delegateId, instance, "token-1", true, rec.socket());
  }

  private static JsonObject welcome() {
    return new JsonObject().put("type", "welcome").put("status", "PENDING_APPROVAL");
  }

  /** Verifies that a session indexed after its delegate was approved is approved, and welcomed ACTIVE. */
  @Test
  void approvedBeforeIndexedIsWelcomedActive() {
    // GIVEN a delegate approved while no session of it is indexed here
    Recorder rec = new Recorder();
    assertEquals(0, index.approveDelegate("d1"));

    // WHEN a session admitted as pending is indexed and welcomed
    DelegateSession s = pending("d1", "i1", rec);
    assertTrue(index.add(s));
    s.welcome(welcome());

    // THEN it is approved, and its only frame is the welcome saying so
    assertFalse(s.pending());
    assertEquals(List.of("welcome:ACTIVE"), rec.types());
  }

  /** Verifies that an approval between indexing and welcome is folded into the welcome, never sent ahead of it. */
  @Test
  void approvedBetweenIndexAndWelcomeIsFoldedIntoWelcome() {
    // GIVEN an indexed pending session not yet welcomed
    Recorder rec = new Recorder();
    DelegateSession s = pending("d2", "i1", rec);
    assertTrue(index.add(s));

    // WHEN its delegate is approved, then it is welcomed
    assertEquals(1, index.approveDelegate("d2"));
    assertEquals(List.of(), rec.types());
    s.welcome(welcome());

    // THEN one frame: the welcome, ACTIVE
    assertEquals(List.of("welcome:ACTIVE"), rec.types());
  }

  /** Verifies that a welcomed pending session is told approved once, however often the approval arrives. */
  @Test
  void approvedAfterWelcomeIsToldOnce() {
    // GIVEN two welcomed pending sessions of a delegate
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    DelegateSession sa = pending("d3", "i1", a);
    DelegateSession sb = pending("d3", "i2", b);
    assertTrue(index.add(sa));
    assertTrue(index.add(sb));
    sa.welcome(welcome());
    sb.welcome(welcome());

    // WHEN the delegate is approved twice (a repeated broadcast)
    assertEquals(2, index.approveDelegate("d3"));
    assertEquals(0, index.approveDelegate("d3"));

    // THEN each was told once, after its welcome
    assertEquals(List.of("welcome:PENDING_APPROVAL", "approved"), a.types());
    assertEquals(List.of("welcome:PENDING_APPROVAL", "approved"), b.types());
  }

  /** Verifies that another delegate's approval approves nothing here. */
  @Test
  void approvalOfAnotherDelegateLeavesSessionPending() {
    // GIVEN another delegate approved
    index.approveDelegate("other");
    Recorder rec = new Recorder();
    DelegateSession s = pending("d4", "i1", rec);

    // WHEN a pending session is indexed and welcomed THEN it stays pending
    assertTrue(index.add(s));
    s.welcome(welcome());
    assertTrue(s.pending());
    assertEquals(List.of("welcome:PENDING_APPROVAL"), rec.types());
  }

  /** Verifies that a session of an ended delegate is closed on indexing even when the delegate was also approved. */
  @Test
  void endedDelegateWinsOverApproval() {
    // GIVEN a delegate approved and then deleted
    index.approveDelegate("d5");
    index.endDelegate("d5", CloseReason.DELEGATE_DELETED);
    Recorder rec = new Recorder();
    DelegateSession s = pending("d5", "i1", rec);

    // WHEN its session is indexed THEN it is closed, with nothing sent
    assertFalse(index.add(s));
    assertEquals(CloseReason.DELEGATE_DELETED, s.closeReason());
    assertEquals(List.of(), rec.types());
    assertEquals(0, index.size());
  }
}
