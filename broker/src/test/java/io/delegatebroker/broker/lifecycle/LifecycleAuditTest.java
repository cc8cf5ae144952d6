package io.delegatebroker.broker.lifecycle;

import static io.delegatebroker.broker.lifecycle.LifecycleKit.welcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.BrokerNodeExtension.Account;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Verifies that every lifecycle change made through the admin API is in the account's audit trail, with who made it. */
@Timeout(120)
class LifecycleAuditTest {

  @RegisterExtension
  static final LifecycleKit kit = LifecycleKit.postgres();

  private static String pending(Account acc, String token, String name) {
    return welcome(kit.connect(acc, token, name, null, "gated")).getString("delegateId");
  }

  private static void expect(int status, AdminClient.Response r) {
    assertEquals(status, r.status(), r.body());
  }

  /** Verifies the audit entries of profile and delegate changes: action, target, actor, time; newest first. */
  @Test
  void lifecycleChangesAreAuditedWithTheirActor() {
    // GIVEN an account and one of its keys
    Account acc = kit.newAccount();
    AdminClient.Response key = kit.admin().post(acc.path("/keys"), null);
    expect(201, key);
    String keyId = key.json().getString("id");
    AdminClient asKey = kit.admin().withKey(key.json().getString("value"));
    Instant before = Instant.now().minusSeconds(1);

    // WHEN profiles are created, updated (by the key) and deleted, and delegates approved (one by the key),
    // rejected, bulk-approved and deleted
    kit.createProfile(acc, "gated", false, null);
    expect(200, asKey.put(acc.path("/profiles/gated"), new JsonObject().put("approvalRequired", true)));
    kit.createProfile(acc, "spare", false, "echo spare");
    expect(204, kit.admin().delete(acc.path("/profiles/spare")));
    String t2 = kit.admin().createToken(acc.id(), "t2");
    String approvedByKey = pending(acc, acc.token(), "a");
    String rejected = pending(acc, acc.token(), "b");
    String bulk = pending(acc, t2, "c");
    String deleted = pending(acc, acc.token(), "d");
    expect(200, asKey.post(acc.path("/delegates/" + approvedByKey + "/approve"), null));
    expect(200, kit.reject(acc, rejected));
    AdminClient.Response bulkApproved = kit.admin().post(acc.path("/delegates/approve"),
        new JsonObject().put("token", "t2"));
    expect(200, bulkApproved);
    assertEquals(new JsonArray().add(bulk), bulkApproved.json().getJsonArray("approved"));
    expect(204, kit.delete(acc, deleted));
    // refused changes leave no trace
    expect(409, kit.approve(acc, approvedByKey));
    expect(409, kit.admin().delete(acc.path("/profiles/primary")));

    // THEN the trail lists them newest first, each with its actor
    AdminClient.Response audit = asKey.get(acc.path("/audit"));
    expect(200, audit);
    List<String> lines = new ArrayList<>();
    for (Object o : audit.items()) {
      JsonObject e = (JsonObject) o;
      Instant at = Instant.parse(e.getString("at"));
      assertFalse(at.isAfter(Instant.now().plusSeconds(1)), "time in the future: " + e);
      if (!e.getString("action").equals("account.create") && !e.getString("action").equals("key.create")) {
        assertTrue(at.isAfter(before), "time before the test: " + e);
      }
      lines.add(e.getString("action") + " " + e.getString("target") + " " + e.getString("actor"));
    }
    assertEquals(List.of(
        "delegate.delete delegate/" + deleted + " root",
        "delegate.approve_all token/t2 root",
        "delegate.reject delegate/" + rejected + " root",
        "delegate.approve delegate/" + approvedByKey + " " + keyId,
        "token.create token/t2 root",
        "profile.delete profile/spare root",
        "profile.create profile/spare root",
        "profile.update profile/gated " + keyId,
        "profile.create profile/gated root",
        "key.create key/" + keyId + " root",
        "account.create account/" + acc.id() + " root"), lines);
  }
}
