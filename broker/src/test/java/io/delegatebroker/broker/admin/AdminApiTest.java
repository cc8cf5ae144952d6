package io.delegatebroker.broker.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.AdminClient.Response;
import io.delegatebroker.broker.testkit.BrokerNodeExtension;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Verifies the admin API of contract section 3 as an operator's script sees it: keys and their reach, validation
 * naming the field, conflicts, not-found, body size, token listing and filters, secrecy of token values, live
 * counters, the primary profile and the audit trail.
 */
@Timeout(60)
class AdminApiTest {

  @RegisterExtension
  static final BrokerNodeExtension node = BrokerNodeExtension.memory();

  /** Verifies that an account is created with its default token and primary profile, and is listed and readable. */
  @Test
  void accountIsCreatedWithDefaultTokenAndPrimaryProfile() {
    // WHEN root creates an account
    Response created = node.admin().post("/v1/accounts", new JsonObject().put("name", "Acme"));

    // THEN 201 with id, name, createdAt and the default token's value
    assertEquals(201, created.status(), created.body());
    JsonObject account = created.json();
    String acc = account.getString("id");
    assertEquals("Acme", account.getString("name"));
    assertIsoUtc(account.getString("createdAt"));
    assertEquals("default", account.getJsonObject("defaultToken").getString("name"));
    assertFalse(account.getJsonObject("defaultToken").getString("value").isBlank());

    // THEN it is listed and readable, with an ACTIVE default token and a primary profile without approval
    assertTrue(ids(node.admin().get("/v1/accounts").items(), "id").contains(acc));
    JsonObject one = node.admin().get("/v1/accounts/" + acc).json();
    assertEquals("Acme", one.getString("name"));
    assertNull(one.getValue("defaultToken"), "the default token's value is shown once only");
    JsonObject token = node.admin().get("/v1/accounts/" + acc + "/tokens/default").json();
    assertEquals("ACTIVE", token.getString("status"));
    JsonObject primary = node.admin().get("/v1/accounts/" + acc + "/profiles/primary").json();
    assertEquals(false, primary.getBoolean("approvalRequired"));
  }

  /** Verifies that calls without a key, with an unknown key or with a non-Bearer header are 401 unauthorized. */
  @Test
  void missingOrUnknownKeyIsUnauthorized() {
    // GIVEN an account (whose delegate token is not an admin key)
    JsonObject account = node.admin().createAccount("Locked");
    String acc = account.getString("id");
    String delegateToken = account.getJsonObject("defaultToken").getString("value");

    List<AdminClient> callers = List.of(node.admin().withKey(null),
        node.admin().withKey("ak_unknown-key-value-0123456789"),
        node.admin().withKey(delegateToken));
    for (AdminClient caller : callers) {
      // WHEN any /v1 call is made THEN 401 unauthorized
      for (String path : List.of("/v1/accounts", "/v1/accounts/" + acc, "/v1/accounts/" + acc + "/tokens", "/v1/cluster")) {
        assertError(caller.get(path), 401, "unauthorized");
      }
      assertError(caller.post("/v1/accounts", new JsonObject().put("name", "x")), 401, "unauthorized");
    }
    // THEN nothing was created
    assertEquals(1, node.admin().get("/v1/accounts/" + acc + "/tokens").items().size());
  }

  /**
   * Verifies that an account key is shown once, reaches its own account, is refused 403 elsewhere and on root-only
   * calls, and stops working once deleted.
   */
  @Test
  void accountKeyReachesOnlyItsOwnAccount() {
    // GIVEN two accounts and a key of the first
    String acc = node.admin().createAccount("Keyed").getString("id");
    String other = node.admin().createAccount("Other").getString("id");
    Response created = node.admin().post("/v1/accounts/" + acc + "/keys", null);
    assertEquals(201, created.status(), created.body());
    String keyId = created.json().getString("id");
    String keyValue = created.json().getString("value");
    assertNotNull(keyId);
    assertNotEquals(keyId, keyValue);
    AdminClient key = node.admin().withKey(keyValue);

    // WHEN it calls its own account THEN it is served
    assertEquals(200, key.get("/v1/accounts/" + acc).status());
    assertEquals(200, key.get("/v1/accounts/" + acc + "/tokens").status());
    assertEquals(201, key.post("/v1/accounts/" + acc + "/tokens", new JsonObject().put("name", "by-key")).status());
    assertEquals(200, key.get("/v1/accounts/" + acc + "/audit").status());

    // WHEN it calls another account or a root-only call THEN 403 forbidden
    assertError(key.get("/v1/accounts/" + other), 403, "forbidden");
    assertError(key.get("/v1/accounts/" + other + "/tokens"), 403, "forbidden");
    assertError(key.post("/v1/accounts/" + other + "/tokens", new JsonObject().put("name", "intrusion")), 403, "forbidden");
    assertError(key.post("/v1/accounts/" + other + "/keys", null), 403, "forbidden");
    assertError(key.post("/v1/accounts", new JsonObject().put("name", "Mine")), 403, "forbidden");
    assertError(key.get("/v1/accounts"), 403, "forbidden");
    assertError(key.get("/v1/cluster"), 403, "forbidden");
    assertEquals(1, node.admin().get("/v1/accounts/" + other + "/tokens").items().size(),
        "nothing created in the other account");

    // WHEN the key is deleted THEN 204, it is refused 401 from then on, and a second delete is 404
    assertEquals(204, node.admin().delete("/v1/accounts/" + acc + "/keys/" + keyId).status());
    assertError(key.get("/v1/accounts/" + acc + "/tokens"), 401, "unauthorized");
    assertError(node.admin().delete("/v1/accounts/" + acc + "/keys/" + keyId), 404, "not_found");
  }

  /** Verifies that malformed bodies and fields are 400 bad_request naming the field, and create nothing. */
  @Test
  void malformedRequestsAreBadRequestsNamingTheField() {
    String acc = node.admin().createAccount("Strict").getString("id");
    String tokens = "/v1/accounts/" + acc + "/tokens";

    // WHEN bodies that are not a JSON object are posted THEN 400 bad_request
    for (String body : List.of("{\"name\":", "not json", "[1,2]", "\"name\"", "42", "null")) {
      assertError(node.admin().post(tokens, body), 400, "bad_request");
    }
    assertError(node.admin().post(tokens, null), 400, "bad_request");

    // WHEN a field is missing or malformed THEN 400 bad_request and the message names the field
    Map<String, JsonObject> cases = new LinkedHashMap<>();
    cases.put("name", new JsonObject());
    cases.put("name ", new JsonObject().put("name", "bad name!"));
    cases.put("name  ", new JsonObject().put("name", 5));
    cases.put("name   ", new JsonObject().put("name", "n".repeat(129)));
    cases.put("expiresAt", new JsonObject().put("name", "ok").put("expiresAt", "tomorrow"));
    cases.put("expiresAt ", new JsonObject().put("name", "ok").put("expiresAt", 1234567));
    cases.put("project", new JsonObject().put("name", "ok").put("project", "my project"));
    cases.put("colour", new JsonObject().put("name", "ok").put("colour", "blue"));
    cases.forEach((field, body) -> {
      Response r = assertError(node.admin().post(tokens, body), 400, "bad_request");
      assertTrue(r.json().getJsonObject("error").getString("message").contains("'" + field.trim() + "'"),
          field.trim() + " named in " + r.body());
    });
    Response profile = assertError(node.admin().post("/v1/accounts/" + acc + "/profiles",
        new JsonObject().put("name", "p").put("approvalRequired", "yes")), 400, "bad_request");
    assertTrue(profile.body().contains("approvalRequired"), profile.body());
    Response account = assertError(node.admin().post("/v1/accounts", new JsonObject()), 400, "bad_request");
    assertTrue(account.body().contains("name"), account.body());
    Response status = assertError(node.admin().get(tokens + "?status=EXPIRED"), 400, "bad_request");
    assertTrue(status.body().contains("status"), status.body());

    // THEN none of them created a token
    assertEquals(List.of("default"), ids(node.admin().get(tokens).items(), "name"));
  }

  /** Verifies 409 conflict for taken names, that revoked tokens keep theirs, and that revoking twice is harmless. */
  @Test
  void takenNamesConflictAndRevokeIsIdempotent() {
    String acc = node.admin().createAccount("Conflicts").getString("id");
    String tokens = "/v1/accounts/" + acc + "/tokens";

    // WHEN a token or profile name is used twice THEN 409 conflict
    node.admin().createToken(acc, "build");
    assertError(node.admin().post(tokens, new JsonObject().put("name", "build")), 409, "conflict");
    assertError(node.admin().post(tokens, new JsonObject().put("name", "default")), 409, "conflict");
    assertEquals(201, node.admin().post("/v1/accounts/" + acc + "/profiles", new JsonObject().put("name", "gpu")
        .put("approvalRequired", true)).status());
    assertError(node.admin().post("/v1/accounts/" + acc + "/profiles", new JsonObject().put("name", "gpu")
        .put("approvalRequired", false)), 409, "conflict");
    assertError(node.admin().post("/v1/accounts/" + acc + "/profiles", new JsonObject().put("name", "primary")),
        409, "conflict");

    // WHEN a token is revoked THEN its name stays taken
    JsonObject first = node.admin().revoke(acc, "build");
    assertEquals("REVOKED", first.getString("status"));
    assertTrue(first.getBoolean("complete"));
    assertError(node.admin().post(tokens, new JsonObject().put("name", "build")), 409, "conflict");

    // WHEN it is revoked again THEN 200, evicted 0, and the revocation time is the first one
    JsonObject second = node.admin().revoke(acc, "build");
    assertEquals("REVOKED", second.getString("status"));
    assertEquals(0, second.getInteger("evicted"));
    assertTrue(second.getBoolean("complete"));
    assertEquals(first.getString("revokedAt"), second.getString("revokedAt"));
    assertEquals(first.getString("revokedAt"), node.admin().get(tokens + "/build").json().getString("revokedAt"));
  }

  /** Verifies that unknown accounts, tokens, profiles, delegates, keys and routes are 404 not_found. */
  @Test
  void unknownThingsAreNotFound() {
    String acc = node.admin().createAccount("Sparse").getString("id");
    String base = "/v1/accounts/" + acc;
    List<Response> answers = new ArrayList<>();
    answers.add(node.admin().get("/v1/accounts/no-such-account"));
    answers.add(node.admin().get("/v1/accounts/no-such-account/tokens"));
    answers.add(node.admin().post("/v1/accounts/no-such-account/tokens", new JsonObject().put("name", "t")));
    answers.add(node.admin().post("/v1/accounts/no-such-account/keys", null));
    answers.add(node.admin().get(base + "/tokens/nope"));
    answers.add(node.admin().post(base + "/tokens/nope/revoke", null));
    answers.add(node.admin().get(base + "/tokens/nope/connections"));
    answers.add(node.admin().get(base + "/profiles/nope"));
    answers.add(node.admin().put(base + "/profiles/nope", new JsonObject().put("approvalRequired", true)));
    answers.add(node.admin().delete(base + "/profiles/nope"));
    answers.add(node.admin().get(base + "/delegates/nope"));
    answers.add(node.admin().post(base + "/delegates/nope/approve", null));
    answers.add(node.admin().delete(base + "/delegates/nope"));
    answers.add(node.admin().delete(base + "/keys/nope"));
    answers.add(node.admin().get("/v1/nothing-here"));
    answers.add(node.admin().send(HttpMethod.PATCH, "/v1/accounts", new JsonObject()));
    for (Response r : answers) {
      assertError(r, 404, "not_found");
    }
  }

  /** Verifies that a body over 64 KiB is refused 413 too_large with the JSON error, and creates nothing. */
  @Test
  void oversizedBodyIsTooLarge() {
    String acc = node.admin().createAccount("Large").getString("id");
    String big = new JsonObject().put("name", "big").put("project", "p".repeat(70 * 1024)).encode();
    assertError(node.admin().post("/v1/accounts/" + acc + "/tokens", big), 413, "too_large");
    assertError(node.admin().post("/v1/accounts", new JsonObject().put("name", "n".repeat(70 * 1024))), 413,
        "too_large");
    assertEquals(List.of("default"), ids(node.admin().get("/v1/accounts/" + acc + "/tokens").items(), "name"));
  }

  /** Verifies the token list, its status and project filters, and the fields of a created token. */
  @Test
  void tokenListFiltersByStatusAndProject() {
    // GIVEN tokens in two projects, one of them revoked
    String acc = node.admin().createAccount("Filters").getString("id");
    String tokens = "/v1/accounts/" + acc + "/tokens";
    String expiry = "2099-01-01T00:00:00Z";
    Response created = node.admin().post(tokens, new JsonObject().put("name", "p-one").put("project",
        "p").put("expiresAt", expiry));
    assertEquals(201, created.status(), created.body());
    JsonObject c = created.json();
    assertEquals(Set.of("name", "project", "status", "createdAt", "expiresAt", "value"), c.fieldNames());
    assertEquals("p", c.getString("project"));
    assertEquals("ACTIVE", c.getString("status"));
    assertEquals(Instant.parse(expiry), Instant.parse(c.getString("expiresAt")));
    assertIsoUtc(c.getString("createdAt"));
    assertEquals(201, node.admin().post(tokens, new JsonObject().put("name", "q-one").put("project", "q")).status());
    assertEquals(201, node.admin().post(tokens, new JsonObject().put("name", "p-two").put("project", "p")).status());
    node.admin().revoke(acc, "p-two");

    // WHEN listing with filters THEN exactly the matching tokens
    assertEquals(Set.of("default", "p-one", "q-one", "p-two"), Set.copyOf(ids(node.admin().get(tokens).items(),
        "name")));
    assertEquals(Set.of("default", "p-one", "q-one"),
        Set.copyOf(ids(node.admin().get(tokens + "?status=ACTIVE").items(), "name")));
    assertEquals(Set.of("p-two"), Set.copyOf(ids(node.admin().get(tokens + "?status=REVOKED").items(), "name")));
    assertEquals(Set.of("p-one", "p-two"), Set.copyOf(ids(node.admin().get(tokens + "?project=p").items(), "name")));
    assertEquals(Set.of("p-one"), Set.copyOf(ids(node.admin().get(tokens + "?status=ACTIVE&project=p").items(),
        "name")));
    assertEquals(Set.of(), Set.copyOf(ids(node.admin().get(tokens + "?project=none").items(), "name")));

    // THEN each item carries the contract's fields, times in ISO-8601 UTC
    JsonObject revoked = node.admin().get(tokens + "?status=REVOKED").items().getJsonObject(0);
    assertEquals(Set.of("name", "project", "status", "createdAt", "expiresAt", "revokedAt", "lastUsedAt",
        "connectedInstances"), revoked.fieldNames());
    assertEquals("REVOKED", revoked.getString("status"));
    assertIsoUtc(revoked.getString("revokedAt"));
  }

  /** Verifies that no answer after creation ever carries a token value again. */
  @Test
  void tokenValuesAreNeverShownAgain() {
    // GIVEN an account, a token, a connected delegate and a revoked token
    JsonObject account = node.admin().createAccount("Secretive");
    String acc = account.getString("id");
    List<String> values = new ArrayList<>();
    values.add(account.getJsonObject("defaultToken").getString("value"));
    values.add(node.admin().createToken(acc, "live"));
    values.add(node.admin().createToken(acc, "dead"));
    TestDelegate d = TestDelegate.connect(node.ws(), TestDelegate.options(node.delegatePort(), values.get(1), acc,
        "d1"));
    d.next("welcome");
    String base = "/v1/accounts/" + acc;

    // WHEN every read, the revoke and the audit are called
    List<Response> answers = new ArrayList<>();
    answers.add(node.admin().post(base + "/tokens/dead/revoke", null));
    answers.add(node.admin().get("/v1/accounts"));
    answers.add(node.admin().get(base));
    answers.add(node.admin().get(base + "/tokens"));
    answers.add(node.admin().get(base + "/tokens?status=ACTIVE"));
    answers.add(node.admin().get(base + "/tokens/live"));
    answers.add(node.admin().get(base + "/tokens/dead"));
    answers.add(node.admin().get(base + "/tokens/live/connections"));
    answers.add(node.admin().get(base + "/delegates"));
    answers.add(node.admin().get(base + "/audit"));

    // THEN none contains a value, and no token item has a value field
    for (Response r : answers) {
      assertEquals(200, r.status(), r.body());
      for (String v : values) {
        assertFalse(r.body().contains(v), "a token value in " + r.body());
      }
    }
    node.admin().get(base + "/tokens").items().forEach(o -> assertFalse(((JsonObject) o).containsKey("value")));
    d.close();
  }

  /** Verifies that lastUsedAt is set after a connect and connectedInstances counts the live sessions. */
  @Test
  void tokenShowsLastUseAndLiveInstances() {
    // GIVEN an unused token and another one
    String acc = node.admin().createAccount("Usage").getString("id");
    String value = node.admin().createToken(acc, "used");
    String path = "/v1/accounts/" + acc + "/tokens/used";
    JsonObject before = node.admin().get(path).json();
    assertNull(before.getValue("lastUsedAt"));
    assertEquals(0, before.getInteger("connectedInstances"));
    Instant start = Instant.now().minusSeconds(1);

    // WHEN two instances connect with it
    TestDelegate one = TestDelegate.connect(node.ws(), node.delegatePort(), value, acc, "d",
        Map.of("X-Delegate-Instance", "a"));
    TestDelegate two = TestDelegate.connect(node.ws(), node.delegatePort(), value, acc, "d",
        Map.of("X-Delegate-Instance", "b"));
    one.next("welcome");
    two.next("welcome");

    // THEN lastUsedAt becomes set (it may lag up to the 5 s flush) and connectedInstances is 2, in get and list
    JsonObject used = pollUntil(() -> node.admin().get(path).json(), t -> t.getValue("lastUsedAt") != null);
    Instant lastUsed = Instant.parse(used.getString("lastUsedAt"));
    assertTrue(!lastUsed.isBefore(start) && !lastUsed.isAfter(Instant.now().plusSeconds(1)), "lastUsedAt " + lastUsed);
    assertEquals(2, used.getInteger("connectedInstances"));
    JsonObject listed = node.admin().get("/v1/accounts/" + acc + "/tokens").items().stream().map(o -> (JsonObject) o)
        .filter(t -> "used".equals(t.getString("name"))).findFirst().orElseThrow();
    assertEquals(2, listed.getInteger("connectedInstances"));
    assertEquals(0, node.admin().get("/v1/accounts/" + acc + "/tokens/default").json().getInteger("connectedInstances"));
    assertNull(node.admin().get("/v1/accounts/" + acc + "/tokens/default").json().getValue("lastUsedAt"));

    // WHEN they disconnect one by one THEN the count follows
    one.close();
    pollUntil(() -> node.admin().get(path).json(), t -> t.getInteger("connectedInstances") == 1);
    two.close();
    pollUntil(() -> node.admin().get(path).json(), t -> t.getInteger("connectedInstances") == 0);
  }

  /** Verifies that the primary profile cannot be deleted while other profiles can. */
  @Test
  void primaryProfileCannotBeDeleted() {
    String acc = node.admin().createAccount("Profiles").getString("id");
    String profiles = "/v1/accounts/" + acc + "/profiles";

    // WHEN the primary profile is deleted THEN 409 conflict and it is still there
    assertError(node.admin().delete(profiles + "/primary"), 409, "conflict");
    assertEquals(200, node.admin().get(profiles + "/primary").status());

    // WHEN another profile is deleted THEN 204 and it is gone
    assertEquals(201, node.admin().post(profiles, new JsonObject().put("name", "spare").put("approvalRequired",
        false)).status());
    assertEquals(204, node.admin().delete(profiles + "/spare").status());
    assertError(node.admin().get(profiles + "/spare"), 404, "not_found");
    assertEquals(List.of("primary"), ids(node.admin().get(profiles).items(), "name"));
  }

  /** Verifies the audit trail: every change, newest first, with root or the account key's id as actor. */
  @Test
  void auditListsChangesNewestFirstWithTheirActor() {
    // GIVEN an account; root makes a key; the key creates a token; root revokes it; the key makes and drops a key
    String acc = node.admin().createAccount("Audited").getString("id");
    JsonObject k1 = node.admin().post("/v1/accounts/" + acc + "/keys", null).json();
    AdminClient key = node.admin().withKey(k1.getString("value"));
    assertEquals(201, key.post("/v1/accounts/" + acc + "/tokens", new JsonObject().put("name", "rot-1")).status());
    node.admin().revoke(acc, "rot-1");
    JsonObject k2 = key.post("/v1/accounts/" + acc + "/keys", null).json();
    assertEquals(204, key.delete("/v1/accounts/" + acc + "/keys/" + k2.getString("id")).status());

    // WHEN the audit is read (by the key)
    JsonArray items = key.get("/v1/accounts/" + acc + "/audit").items();

    // THEN it lists exactly these changes, newest first, with actor and target
    String k1Id = k1.getString("id");
    List<String> expected = List.of(
        "key.delete " + k1Id + " key/" + k2.getString("id"),
        "key.create " + k1Id + " key/" + k2.getString("id"),
        "token.revoke root token/rot-1",
        "token.create " + k1Id + " token/rot-1",
        "key.create root key/" + k1Id,
        "account.create root account/" + acc);
    List<String> actual = items.stream().map(o -> (JsonObject) o)
        .map(e -> e.getString("action") + " " + e.getString("actor") + " " + e.getString("target")).toList();
    assertEquals(expected, actual);
    Instant previous = Instant.MAX;
    for (Object o : items) {
      Instant at = Instant.parse(((JsonObject) o).getString("at"));
      assertFalse(at.isAfter(previous), "newest first");
      previous = at;
    }
  }

  // ---- helpers

  private static Response assertError(Response r, int status, String code) {
    assertEquals(status, r.status(), r.body());
    JsonObject body = r.json();
    assertEquals(Set.of("error"), body.fieldNames(), r.body());
    assertEquals(code, body.getJsonObject("error").getString("code"), r.body());
    assertFalse(body.getJsonObject("error").getString("message").isBlank(), r.body());
    return r;
  }

  private static List<String> ids(JsonArray items, String field) {
    return items.stream().map(o -> ((JsonObject) o).getString(field)).collect(Collectors.toList());
  }

  private static void assertIsoUtc(String time) {
    assertNotNull(time);
    assertTrue(time.endsWith("Z"), time);
    Instant.parse(time);
  }

  /** Polls a read until it satisfies the condition, for at most 10 s. */
  private static JsonObject pollUntil(java.util.function.Supplier<JsonObject> read, Predicate<JsonObject> condition) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    JsonObject last = read.get();
    while (!condition.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s: " + last.encode());
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      last = read.get();
    }
    return last;
  }
}
