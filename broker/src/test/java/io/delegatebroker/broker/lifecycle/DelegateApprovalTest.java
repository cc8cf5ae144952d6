package io.delegatebroker.broker.lifecycle;

import static io.delegatebroker.broker.lifecycle.LifecycleKit.assertNothingQueued;
import static io.delegatebroker.broker.lifecycle.LifecycleKit.welcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.BrokerNodeExtension.Account;
import io.delegatebroker.broker.testkit.Await;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Verifies delegate approval over real sockets on a PostgreSQL-backed node: pending, approve, the profile's say, races. */
@Timeout(180)
class DelegateApprovalTest {

  @RegisterExtension
  static final LifecycleKit kit = LifecycleKit.postgres();
  static ExecutorService callers;

  @BeforeAll
  static void start() {
    callers = Executors.newFixedThreadPool(2);
  }

  @AfterAll
  static void stop() {
    callers.shutdownNow();
  }

  /** Verifies that a delegate of a gated profile waits, is listed as pending, refuses messages, and is approved once. */
  @Test
  void pendingDelegateIsListedThenApprovedOnEveryInstance() {
    // GIVEN a profile that requires approval
    Account acc = kit.newAccount();
    kit.createProfile(acc, "gated", true, null);

    // WHEN two instances of a new delegate connect with it
    TestDelegate one = kit.connect(acc, acc.token(), "k8s-east", "pod-1", "gated");
    JsonObject w1 = welcome(one);
    TestDelegate two = kit.connect(acc, acc.token(), "k8s-east", "pod-2", "gated");
    JsonObject w2 = welcome(two);

    // THEN both are welcomed as pending, as one delegate
    assertEquals("PENDING_APPROVAL", w1.getString("status"));
    assertEquals("PENDING_APPROVAL", w2.getString("status"));
    String id = w1.getString("delegateId");
    assertEquals(id, w2.getString("delegateId"));

    // AND it is listed as pending and connected, with both instances
    JsonObject listed = kit.listed(acc, "PENDING_APPROVAL", id);
    assertNotNull(listed, "pending delegate not listed");
    assertEquals("k8s-east", listed.getString("name"));
    assertEquals("gated", listed.getString("profile"));
    assertEquals("default", listed.getString("tokenName"));
    assertEquals("SHELL_SCRIPT", listed.getString("type"));
    assertTrue(listed.getBoolean("connected"));
    JsonArray instances = listed.getJsonArray("instances");
    assertEquals(List.of("pod-1", "pod-2"), instances.stream().map(o -> ((JsonObject) o).getString("instance")).sorted().toList());
    for (Object o : instances) {
      JsonObject inst = (JsonObject) o;
      assertEquals(kit.node().nodeId(), inst.getString("node"));
      Instant.parse(inst.getString("connectedAt"));
      Instant.parse(inst.getString("lastHeartbeatAt"));
    }
    assertNull(kit.listed(acc, "ACTIVE", id));

    // AND messages to it are refused while it waits
    AdminClient.Response msg = kit.message(acc, id, new JsonObject().put("payload", new JsonObject().put("k", "v")));
    assertEquals(409, msg.status(), msg.body());
    assertEquals("conflict", msg.errorCode());

    // WHEN it is approved
    AdminClient.Response approved = kit.approve(acc, id);

    // THEN the answer says so and every live instance is told
    assertEquals(200, approved.status(), approved.body());
    assertEquals(new JsonObject().put("id", id).put("status", "ACTIVE"), approved.json());
    assertEquals("approved", one.next().getString("type"));
    assertEquals("approved", two.next().getString("type"));
    assertEquals("ACTIVE", kit.admin().get(acc.path("/delegates/" + id)).json().getString("status"));
    assertNull(kit.listed(acc, "PENDING_APPROVAL", id));

    // AND a second approval is refused, and tells no one
    AdminClient.Response again = kit.approve(acc, id);
    assertEquals(409, again.status(), again.body());
    assertEquals("conflict", again.errorCode());
    assertNothingQueued(one);
    assertNothingQueued(two);

    // AND now messages reach both instances
    AdminClient.Response sent = kit.message(acc, id, new JsonObject().put("payload", new JsonObject().put("k", "v")));
    assertEquals(202, sent.status(), sent.body());
    assertEquals(2, sent.json().getInteger("delivered"));
  }

  /** Verifies that approving an unknown delegate is not found, and an ACTIVE one is a conflict. */
  @Test
  void approveOfActiveOrUnknownDelegateIsRefused() {
    // GIVEN an active delegate
    Account acc = kit.newAccount();
    TestDelegate d = kit.connect(acc, acc.token(), "plain", null, null);
    String id = welcome(d).getString("delegateId");

    // WHEN / THEN
    AdminClient.Response active = kit.approve(acc, id);
    assertEquals(409, active.status(), active.body());
    AdminClient.Response unknown = kit.approve(acc, "no-such-delegate");
    assertEquals(404, unknown.status(), unknown.body());
    assertEquals("not_found", unknown.errorCode());
    assertNothingQueued(d);
  }

  /** Verifies that changing a profile's approvalRequired affects new registrations only, never registered delegates. */
  @Test
  void profileChangeAffectsOnlyNewRegistrations() {
    // GIVEN an open profile with a registered (ACTIVE) delegate, and a gated profile with a PENDING one
    Account acc = kit.newAccount();
    kit.createProfile(acc, "open", false, null);
    kit.createProfile(acc, "closed", true, null);
    TestDelegate active = kit.connect(acc, acc.token(), "was-open", null, "open");
    String activeId = welcome(active).getString("delegateId");
    TestDelegate pending = kit.connect(acc, acc.token(), "was-closed", null, "closed");
    String pendingId = welcome(pending).getString("delegateId");
    active.close();
    pending.close();

    // WHEN the two profiles swap their setting
    kit.updateProfile(acc, "open", new JsonObject().put("approvalRequired", true));
    kit.updateProfile(acc, "closed", new JsonObject().put("approvalRequired", false));

    // THEN the registered delegates reconnect as they were registered
    JsonObject again1 = welcome(kit.connect(acc, acc.token(), "was-open", null, "open"));
    assertEquals("ACTIVE", again1.getString("status"));
    assertEquals(activeId, again1.getString("delegateId"));
    JsonObject again2 = welcome(kit.connect(acc, acc.token(), "was-closed", null, "closed"));
    assertEquals("PENDING_APPROVAL", again2.getString("status"));
    assertEquals(pendingId, again2.getString("delegateId"));

    // AND new names register under the new setting
    assertEquals("PENDING_APPROVAL", welcome(kit.connect(acc, acc.token(), "new-open", null, "open")).getString("status"));
    assertEquals("ACTIVE", welcome(kit.connect(acc, acc.token(), "new-closed", null, "closed")).getString("status"));
    assertEquals("ACTIVE", kit.admin().get(acc.path("/delegates/" + activeId)).json().getString("status"));
    assertEquals("PENDING_APPROVAL", kit.admin().get(acc.path("/delegates/" + pendingId)).json().getString("status"));
  }

  /** Verifies that the profile's startup script is in the welcome, follows updates, and is absent when there is none. */
  @Test
  void welcomeCarriesTheProfilesStartupScript() {
    // GIVEN a profile with a startup script
    Account acc = kit.newAccount();
    String script = "#!/bin/sh\necho \"hello from $(hostname)\"\n";
    kit.createProfile(acc, "scripted", false, script);

    // WHEN / THEN a delegate of it gets the script; a delegate of primary gets none
    assertEquals(script, welcome(kit.connect(acc, acc.token(), "with-script", null, "scripted")).getString("startupScript"));
    assertFalse(welcome(kit.connect(acc, acc.token(), "without-script", null, null)).containsKey("startupScript"));

    // WHEN the script changes THEN the next welcome carries the new one; WHEN it is cleared THEN none
    kit.updateProfile(acc, "scripted", new JsonObject().put("startupScript", "echo v2"));
    assertEquals("echo v2", welcome(kit.connect(acc, acc.token(), "with-script", "i-2", "scripted")).getString("startupScript"));
    kit.updateProfile(acc, "scripted", new JsonObject().putNull("startupScript"));
    assertFalse(welcome(kit.connect(acc, acc.token(), "with-script", "i-3", "scripted")).containsKey("startupScript"));
  }

  /**
   * Verifies that of an approval and a rejection of one pending delegate sent at once, exactly one is carried out:
   * the other is refused, and the delegate's session shows only the winner's effect.
   */
  @Test
  void concurrentApproveAndRejectExactlyOneWins() throws Exception {
    Account acc = kit.newAccount();
    kit.createProfile(acc, "gated", true, null);
    for (int i = 0; i < 8; i++) {
      // GIVEN a pending delegate with a live session
      TestDelegate d = kit.connect(acc, acc.token(), "race-" + i, null, "gated");
      String id = welcome(d).getString("delegateId");

      // WHEN it is approved and rejected at the same moment
      CyclicBarrier start = new CyclicBarrier(2);
      CompletableFuture<AdminClient.Response> approve = race(start, () -> kit.approve(acc, id));
      CompletableFuture<AdminClient.Response> reject = race(start, () -> kit.reject(acc, id));
      AdminClient.Response a = approve.get(60, TimeUnit.SECONDS);
      AdminClient.Response r = reject.get(60, TimeUnit.SECONDS);

      // THEN exactly one answers 200 and the other is refused
      assertTrue((a.status() == 200) ^ (r.status() == 200), "iteration " + i + ": approve=" + a + " reject=" + r);
      if (a.status() == 200) {
        assertEquals(409, r.status(), r.body());
        assertEquals("approved", d.next().getString("type"));
        assertEquals("ACTIVE", kit.admin().get(acc.path("/delegates/" + id)).json().getString("status"));
        assertNothingQueued(d);
      } else {
        // An approval that looks the delegate up after the rejection removed it finds nothing: 404, not 409.
        assertTrue(a.status() == 409 || a.status() == 404, "approve after reject: " + a);
        TestDelegate.Close close = d.awaitClose();
        assertEquals(4003, close.code());
        assertEquals(404, kit.admin().get(acc.path("/delegates/" + id)).status());
      }
    }
  }

  private static CompletableFuture<AdminClient.Response> race(CyclicBarrier start, Supplier<AdminClient.Response> call) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        start.await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return call.get();
    }, callers);
  }

  /**
   * Verifies that instances connecting while their delegate is being approved all end up approved: each is welcomed
   * ACTIVE, or welcomed pending and then told {@code approved}, and then receives messages.
   */
  @Test
  void instancesConnectingDuringApprovalAreApproved() throws Exception {
    Account acc = kit.newAccount();
    kit.createProfile(acc, "gated", true, null);
    for (int i = 0; i < 15; i++) {
      // GIVEN a pending delegate with one live instance
      String name = "during-" + i;
      TestDelegate first = kit.connect(acc, acc.token(), name, "first", "gated");
      String id = welcome(first).getString("delegateId");

      // WHEN more instances connect while the delegate is approved
      List<Future<TestDelegate>> connecting = new ArrayList<>();
      for (int n = 0; n < 4; n++) {
        connecting.add(kit.connectAsync(acc, acc.token(), name, "late-" + n, "gated"));
      }
      AdminClient.Response approved = kit.approve(acc, id);
      assertEquals(200, approved.status(), approved.body());

      // THEN every instance is approved, exactly once, after its welcome
      assertEquals("approved", first.next().getString("type"));
      for (Future<TestDelegate> f : connecting) {
        TestDelegate late = Await.result(f, 30);
        JsonObject w = welcome(late);
        assertEquals(id, w.getString("delegateId"));
        if ("PENDING_APPROVAL".equals(w.getString("status"))) {
          assertEquals("approved", late.next().getString("type"), "iteration " + i);
        } else {
          assertEquals("ACTIVE", w.getString("status"));
        }
        assertNothingQueued(late);
      }
      // AND a message reaches all five instances
      AdminClient.Response sent = kit.message(acc, id, new JsonObject().put("payload", new JsonObject().put("i", i)));
      assertEquals(202, sent.status(), sent.body());
      assertEquals(5, sent.json().getInteger("delivered"), "iteration " + i);
      kit.closeDelegates();
    }
  }
}
