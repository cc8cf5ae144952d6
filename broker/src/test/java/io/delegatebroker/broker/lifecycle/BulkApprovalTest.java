package io.delegatebroker.broker.lifecycle;

import static io.delegatebroker.broker.lifecycle.LifecycleKit.assertNothingQueued;
import static io.delegatebroker.broker.lifecycle.LifecycleKit.welcome;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.BrokerNodeExtension.Account;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Verifies {@code POST /v1/accounts/{acc}/delegates/approve}: approval of every pending delegate of a token or profile. */
@Timeout(120)
class BulkApprovalTest {

  @RegisterExtension
  static final LifecycleKit kit = LifecycleKit.postgres();

  private record Live(String id, TestDelegate session) {
  }

  private static Live connect(Account acc, String token, String name, String profile, String status) {
    TestDelegate d = kit.connect(acc, token, name, null, profile);
    JsonObject w = welcome(d);
    assertEquals(status, w.getString("status"), name);
    return new Live(w.getString("delegateId"), d);
  }

  private static List<String> approved(AdminClient.Response r) {
    assertEquals(200, r.status(), r.body());
    return r.json().getJsonArray("approved").stream().map(String.class::cast).sorted().toList();
  }

  private static String status(Account acc, Live d) {
    return kit.admin().get(acc.path("/delegates/" + d.id())).json().getString("status");
  }

  /** Verifies that approval by token, then by profile, approves exactly the pending delegates that match. */
  @Test
  void approvesOnlyPendingDelegatesOfTheTokenOrProfile() {
    // GIVEN pending delegates of tokens t1/t2 and gated profiles p/q, and an active delegate of t1
    Account acc = kit.newAccount();
    String t1 = kit.admin().createToken(acc.id(), "t1");
    String t2 = kit.admin().createToken(acc.id(), "t2");
    kit.createProfile(acc, "p", true, null);
    kit.createProfile(acc, "q", true, null);
    Live t1p = connect(acc, t1, "t1-p", "p", "PENDING_APPROVAL");
    Live t1q = connect(acc, t1, "t1-q", "q", "PENDING_APPROVAL");
    Live t2p = connect(acc, t2, "t2-p", "p", "PENDING_APPROVAL");
    Live t2q = connect(acc, t2, "t2-q", "q", "PENDING_APPROVAL");
    Live t1active = connect(acc, t1, "t1-active", null, "ACTIVE");

    // WHEN the delegates of token t1 are approved
    List<String> byToken = approved(kit.admin().post(acc.path("/delegates/approve"), new JsonObject().put("token",
        "t1")));

    // THEN exactly t1's pending delegates were, and only their sessions were told
    assertEquals(List.of(t1p.id(), t1q.id()).stream().sorted().toList(), byToken);
    assertEquals("approved", t1p.session().next().getString("type"));
    assertEquals("approved", t1q.session().next().getString("type"));
    assertEquals("ACTIVE", status(acc, t1p));
    assertEquals("ACTIVE", status(acc, t1q));
    assertEquals("PENDING_APPROVAL", status(acc, t2p));
    assertEquals("PENDING_APPROVAL", status(acc, t2q));
    assertNothingQueued(t2p.session());
    assertNothingQueued(t2q.session());
    assertNothingQueued(t1active.session());

    // WHEN the delegates of profile p are approved THEN only t2-p was still pending there
    List<String> byProfile = approved(kit.admin().post(acc.path("/delegates/approve"),
        new JsonObject().put("profile", "p")));
    assertEquals(List.of(t2p.id()), byProfile);
    assertEquals("approved", t2p.session().next().getString("type"));
    assertEquals("PENDING_APPROVAL", status(acc, t2q));
    assertNothingQueued(t2q.session());
    assertNothingQueued(t1p.session());

    // AND approving again finds nothing left to approve
    assertEquals(List.of(), approved(kit.admin().post(acc.path("/delegates/approve"), new JsonObject().put("token",
        "t1"))));
    assertEquals(List.of(), approved(kit.admin().post(acc.path("/delegates/approve"),
        new JsonObject().put("profile", "none"))));
  }

  /** Verifies that the bulk approval needs exactly one of token and profile, as names, else 400. */
  @Test
  void bodyNeedsExactlyOneOfTokenAndProfile() {
    // GIVEN a pending delegate
    Account acc = kit.newAccount();
    kit.createProfile(acc, "p", true, null);
    Live d = connect(acc, acc.token(), "waiting", "p", "PENDING_APPROVAL");

    // WHEN / THEN malformed bodies are refused with 400 and approve nothing
    for (Object body : List.of(new JsonObject().put("token", "default").put("profile", "p"), new JsonObject(),
        new JsonObject().put("token", 7), new JsonObject().put("profile", "bad name!"),
        new JsonObject().put("token", "default").put("extra", true), "not json")) {
      AdminClient.Response r = kit.admin().post(acc.path("/delegates/approve"), body);
      assertEquals(400, r.status(), "body " + body + ": " + r.body());
      assertEquals("bad_request", r.errorCode());
    }
    assertEquals("PENDING_APPROVAL", status(acc, d));
    assertNothingQueued(d.session());
  }
}
