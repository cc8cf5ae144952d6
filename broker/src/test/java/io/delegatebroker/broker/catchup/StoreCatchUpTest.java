package io.delegatebroker.broker.catchup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.limits.BrokerLimits;
import io.delegatebroker.broker.testkit.BrokerNodeExtension;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Verifies that a node applies changes it was never told about (as when it was paused or partitioned while another
 * node handled the admin call): the changes are written straight into the store, bypassing every command, and the node
 * must find them by itself — revocations and expiries within one period of the token safety net (whatever the times
 * written say), delegate changes within about five seconds.
 */
@Timeout(60)
class StoreCatchUpTest {

  @RegisterExtension
  static final BrokerNodeExtension node = BrokerNodeExtension.postgres();

  private TestDelegate connect(String token, String acc, String name, Map<String, String> headers) {
    TestDelegate d = TestDelegate.connect(node.ws(), node.delegatePort(), token, acc, name, headers);
    d.next("welcome");
    return d;
  }

  /**
   * The longest a change written behind the node's back may take to reach its sessions: one period, plus slack for a
   * shared CPU.
   */
  private static final long WITHIN_MILLIS = BrokerLimits.DEFAULT_SAFETY_NET_PERIOD.toMillis() + 2000;

  private long closedWithin(TestDelegate d, int code, long t0) {
    assertEquals(code, d.awaitClose().code());
    long millis = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(millis < WITHIN_MILLIS, "closed " + millis + " ms after the store changed");
    return millis;
  }

  @Test
  void revocationWrittenBehindTheNodesBackClosesItsSessionsWithinOnePeriod() {
    JsonObject account = node.admin().createAccount("Missed revoke");
    String acc = account.getString("id");
    String token = node.admin().createToken(acc, "missed");
    TestDelegate d = connect(token, acc, "d1", Map.of());
    TestDelegate d2 = connect(token, acc, "d2", Map.of());

    long t0 = System.nanoTime();
    node.db().execute("UPDATE tokens SET status = 'REVOKED', revoked_at = now() WHERE account_id = '" + acc
        + "' AND name = 'missed'");

    long millis = closedWithin(d, 4001, t0);
    closedWithin(d2, 4001, t0);
    System.out.println("token safety net closed a missed revocation after " + millis + " ms");
    assertEquals(401, TestDelegate.refused(node.ws(), TestDelegate.options(node.delegatePort(), token, acc,
        "d1")).status());
  }

  /**
   * Verifies that the safety net needs no clock: revocation times a day before and a day after this node's clock (as
   * if the revoking node's clock, or this one's, were that far off) are found all the same.
   */
  @Test
  void revocationTimesFarFromTheNodesClockStillEvict() {
    JsonObject account = node.admin().createAccount("Skewed clocks");
    String acc = account.getString("id");
    TestDelegate past = connect(node.admin().createToken(acc, "past"), acc, "d-past", Map.of());
    TestDelegate future = connect(node.admin().createToken(acc, "future"), acc, "d-future", Map.of());

    long t0 = System.nanoTime();
    node.db().execute("UPDATE tokens SET status = 'REVOKED', revoked_at = now() - interval '1 day'"
        + " WHERE account_id = '" + acc + "' AND name = 'past'");
    node.db().execute("UPDATE tokens SET status = 'REVOKED', revoked_at = now() + interval '1 day'"
        + " WHERE account_id = '" + acc + "' AND name = 'future'");

    closedWithin(past, 4001, t0);
    closedWithin(future, 4001, t0);
  }

  /** Verifies that an expiry the node never heard of (moved earlier in the store) ends the sessions with 4002. */
  @Test
  void expiryWrittenBehindTheNodesBackClosesWith4002() {
    JsonObject account = node.admin().createAccount("Missed expiry");
    String acc = account.getString("id");
    String token = node.admin().createToken(acc, "short");
    TestDelegate d = connect(token, acc, "d1", Map.of());

    long t0 = System.nanoTime();
    node.db().execute("UPDATE tokens SET expires_at = now() - interval '1 second' WHERE account_id = '" + acc
        + "' AND name = 'short'");

    closedWithin(d, 4002, t0);
    assertEquals(401, TestDelegate.refused(node.ws(), TestDelegate.options(node.delegatePort(), token, acc,
        "d1")).status());
  }

  @Test
  void deletionAndApprovalWrittenBehindTheNodesBackReachTheSessions() {
    JsonObject account = node.admin().createAccount("Missed lifecycle");
    String acc = account.getString("id");
    String token = account.getJsonObject("defaultToken").getString("value");
    node.admin().post("/v1/accounts/" + acc + "/profiles",
        new JsonObject().put("name", "gated").put("approvalRequired", true));
    TestDelegate deleted = connect(token, acc, "to-delete", Map.of());
    TestDelegate pending = connect(token, acc, "to-approve", Map.of("X-Delegate-Profile", "gated"));

    node.db().execute("DELETE FROM delegates WHERE account_id = '" + acc + "' AND name = 'to-delete'");
    node.db().execute("UPDATE delegates SET status = 'ACTIVE' WHERE account_id = '" + acc + "' AND name = 'to-approve'");

    assertEquals(4004, deleted.awaitClose().code());
    assertEquals("approved", pending.next().getString("type"));
  }
}
