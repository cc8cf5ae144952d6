package io.delegatebroker.broker.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.Await;
import io.delegatebroker.broker.testkit.BrokerNodeExtension;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.delegatebroker.broker.testkit.TestDelegate.Refusal;
import io.delegatebroker.broker.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Verifies that every handshake refusal of contract section 2 is a plain HTTP answer with the right status and the
 * JSON error body, and that a refused handshake never leaves a session or a registered delegate behind.
 */
@ExtendWith(VertxExtension.class)
@Timeout(90)
class HandshakeRefusalTest {

  // The refusals below come from one address; keep them clear of the failed-handshake limit (tested on its own node).
  @RegisterExtension
  static final BrokerNodeExtension node = BrokerNodeExtension.memory()
      .with("BROKER_HANDSHAKE_FAILURE_LIMIT", "100000");

  static HttpClient http;

  @BeforeAll
  static void start() {
    http = node.vertx().createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1"));
  }

  /** Verifies that missing or malformed headers and unknown types are refused 400 bad_request naming the header. */
  @Test
  void malformedHeadersAreBadRequests() {
    // GIVEN an account with a valid token
    JsonObject account = node.admin().createAccount("Headers");
    String acc = account.getString("id");
    String token = account.getJsonObject("defaultToken").getString("value");

    // WHEN headers are missing or malformed THEN each connect is refused 400 bad_request naming the header
    Map<String, WebSocketConnectOptions> cases = new LinkedHashMap<>();
    cases.put("Authorization", TestDelegate.options(node.delegatePort(), null, acc, "d1"));
    cases.put("Authorization ", withHeaders(TestDelegate.options(node.delegatePort(), null, acc, "d1"),
        Map.of("Authorization", "Bearer " + token)));
    cases.put("X-Account-Id", TestDelegate.options(node.delegatePort(), token, null, "d1"));
    cases.put("X-Delegate-Name", TestDelegate.options(node.delegatePort(), token, acc, null));
    cases.put("X-Delegate-Name ", TestDelegate.options(node.delegatePort(), token, acc, "bad name!"));
    cases.put("X-Delegate-Name  ", TestDelegate.options(node.delegatePort(), token, acc, "n".repeat(129)));
    cases.put("X-Delegate-Instance", withHeaders(TestDelegate.options(node.delegatePort(), token, acc, "d1"),
        Map.of("X-Delegate-Instance", "pod/1")));
    cases.put("X-Delegate-Instance ", withHeaders(TestDelegate.options(node.delegatePort(), token, acc, "d1"),
        Map.of("X-Delegate-Instance", "i".repeat(129))));
    cases.put("X-Delegate-Type", withHeaders(TestDelegate.options(node.delegatePort(), token, acc, "d1"),
        Map.of("X-Delegate-Type", "WINDOWS_SERVICE")));
    cases.put("X-Delegate-Profile", withHeaders(TestDelegate.options(node.delegatePort(), token, acc, "d1"),
        Map.of("X-Delegate-Profile", "no such profile")));
    cases.forEach((header, options) -> {
      Refusal r = TestDelegate.refused(node.ws(), options);
      assertEquals(400, r.status(), header);
      assertErrorBody(r.body(), "bad_request");
      assertTrue(r.body().getJsonObject("error").getString("message").contains(header.trim()),
          "the message names " + header.trim() + ": " + r.body());
    });

    // THEN none of them left a session or a delegate behind
    assertNoSessions();
    assertEquals(0, node.admin().get("/v1/accounts/" + acc + "/delegates").items().size());
  }

  /**
   * Verifies that an unknown, revoked, expired, malformed or foreign token is refused 401 invalid_token with one and
   * the same body, so a caller cannot tell which.
   */
  @Test
  void everyBadTokenGetsTheSameInvalidTokenAnswer() {
    // GIVEN two accounts; in the first a token that is revoked after having been used, in the second one that expires
    JsonObject first = node.admin().createAccount("First");
    String acc = first.getString("id");
    JsonObject second = node.admin().createAccount("Second");
    String other = second.getString("id");
    String otherToken = second.getJsonObject("defaultToken").getString("value");
    String revoked = node.admin().createToken(acc, "gone");
    TestDelegate used = TestDelegate.connect(node.ws(), TestDelegate.options(node.delegatePort(), revoked, acc, "d1"));
    used.next("welcome");
    assertEquals(1, node.admin().revoke(acc, "gone").getInteger("evicted"));
    assertEquals(4001, used.awaitClose().code());

    JsonObject expiring = node.admin().post("/v1/accounts/" + other + "/tokens", new JsonObject().put("name", "short")
        .put("expiresAt", Instant.now().plusMillis(1500).toString())).json();
    String expired = expiring.getString("value");
    TestDelegate beforeExpiry = TestDelegate.connect(node.ws(), TestDelegate.options(node.delegatePort(), expired,
        other, "d2"));
    beforeExpiry.next("welcome");
    assertEquals(4002, beforeExpiry.awaitClose().code());
    assertTrue(Instant.now().isAfter(Instant.parse(expiring.getString("expiresAt"))));

    // WHEN connecting with each kind of bad token
    Map<String, WebSocketConnectOptions> cases = new LinkedHashMap<>();
    cases.put("unknown", TestDelegate.options(node.delegatePort(), "dt_" + "A".repeat(43), acc, "d1"));
    cases.put("revoked", TestDelegate.options(node.delegatePort(), revoked, acc, "d1"));
    cases.put("expired", TestDelegate.options(node.delegatePort(), expired, other, "d2"));
    cases.put("other account", TestDelegate.options(node.delegatePort(), otherToken, acc, "d1"));
    cases.put("unknown account", TestDelegate.options(node.delegatePort(), otherToken, "no-such-account", "d1"));
    cases.put("malformed (too long)", TestDelegate.options(node.delegatePort(), "x".repeat(300), acc, "d1"));
    cases.put("malformed (garbage)", TestDelegate.options(node.delegatePort(), "%%%;;", acc, "d1"));
    List<JsonObject> bodies = new ArrayList<>();
    cases.forEach((what, options) -> {
      Refusal r = TestDelegate.refused(node.ws(), options);
      // THEN each is 401 invalid_token
      assertEquals(401, r.status(), what);
      assertErrorBody(r.body(), "invalid_token");
      bodies.add(r.body());
    });

    // THEN the bodies are identical: none says which check failed
    for (JsonObject b : bodies) {
      assertEquals(bodies.get(0), b);
    }
    // THEN only the operator's metrics tell the reasons apart
    String metrics = plainGet(node.adminPort(), "/metrics").body();
    for (String outcome : List.of("unknown", "revoked", "expired", "wrong_account", "malformed")) {
      assertTrue(metrics.lines().anyMatch(l -> l.startsWith("broker_connect_attempts_total{")
          && l.contains("outcome=\"" + outcome + "\"")), "connect attempts with outcome " + outcome);
    }
    assertNoSessions();
  }

  /** Verifies that a profile that does not exist in the account is refused 404 profile_not_found. */
  @Test
  void unknownProfileIsProfileNotFound() {
    // GIVEN an account without a profile named "gpu"
    JsonObject account = node.admin().createAccount("Profiles");
    String acc = account.getString("id");
    String token = account.getJsonObject("defaultToken").getString("value");

    // WHEN a delegate asks for it
    Refusal r = TestDelegate.refused(node.ws(), withHeaders(TestDelegate.options(node.delegatePort(), token, acc, "d1"),
        Map.of("X-Delegate-Profile", "gpu")));

    // THEN 404 profile_not_found, and no delegate was registered
    assertEquals(404, r.status());
    assertErrorBody(r.body(), "profile_not_found");
    assertNoSessions();
    assertEquals(0, node.admin().get("/v1/accounts/" + acc + "/delegates").items().size());
  }

  /** Verifies that a delegate name rejected in the account is refused 403 delegate_rejected. */
  @Test
  void rejectedDelegateIsRefused() {
    // GIVEN a delegate pending approval that is rejected
    JsonObject account = node.admin().createAccount("Rejects");
    String acc = account.getString("id");
    String token = account.getJsonObject("defaultToken").getString("value");
    assertEquals(201, node.admin().post("/v1/accounts/" + acc + "/profiles",
        new JsonObject().put("name", "guarded").put("approvalRequired", true)).status());
    TestDelegate pending = TestDelegate.connect(node.ws(), withHeaders(TestDelegate.options(node.delegatePort(),
        token, acc, "intruder"), Map.of("X-Delegate-Profile", "guarded")));
    JsonObject welcome = pending.next("welcome");
    assertEquals("PENDING_APPROVAL", welcome.getString("status"));
    assertEquals(200, node.admin().post("/v1/accounts/" + acc + "/delegates/" + welcome.getString("delegateId") + "/reject",
        null).status());
    assertEquals(4003, pending.awaitClose().code());

    // WHEN it connects again, with any profile
    Refusal r = TestDelegate.refused(node.ws(), TestDelegate.options(node.delegatePort(), token, acc, "intruder"));

    // THEN 403 delegate_rejected
    assertEquals(403, r.status());
    assertErrorBody(r.body(), "delegate_rejected");
    assertNoSessions();
  }

  /** Verifies that a plain GET without upgrade is 400 and an unknown path 404 not_found, both with JSON errors. */
  @Test
  void plainHttpAndUnknownPathsAreRefused() {
    // WHEN the connect path is called without a WebSocket upgrade THEN 400 bad_request
    HttpAnswer plain = plainGet(node.delegatePort(), "/v1/delegates/connect");
    assertEquals(400, plain.status());
    assertTrue(plain.contentType().startsWith("application/json"), plain.contentType());
    assertErrorBody(new JsonObject(plain.body()), "bad_request");

    // WHEN another path is called, plainly or with an upgrade THEN 404 not_found
    HttpAnswer unknown = plainGet(node.delegatePort(), "/v1/delegates/other");
    assertEquals(404, unknown.status());
    assertErrorBody(new JsonObject(unknown.body()), "not_found");
    Refusal r = TestDelegate.refused(node.ws(), TestDelegate.options(node.delegatePort(), "x", "y", "z")
        .setURI("/v1/nowhere"));
    assertEquals(404, r.status());
    assertErrorBody(r.body(), "not_found");
    assertNoSessions();
  }

  /**
   * Verifies that an address over the failed-handshake limit is refused 429 rate_limited with Retry-After, even
   * with a valid token, and that this does not affect the admin API.
   */
  @Test
  void tooManyFailuresFromOneAddressAreRateLimited(Vertx vertx) {
    // GIVEN a node that allows 3 failed handshakes per address per minute
    Map<String, String> env = TestNode.env(null);
    env.put("BROKER_HANDSHAKE_FAILURE_LIMIT", "3");
    TestNode limited = TestNode.start(env);
    try {
      AdminClient limitedAdmin = new AdminClient(vertx, limited.adminPort(), TestNode.ROOT_KEY);
      JsonObject account = limitedAdmin.createAccount("Limited");
      String acc = account.getString("id");
      String token = account.getJsonObject("defaultToken").getString("value");
      // a success is never counted as a failure
      TestDelegate ok = TestDelegate.connect(node.ws(), TestDelegate.options(limited.delegatePort(), token, acc,
          "good"));
      ok.next("welcome");

      // WHEN three handshakes fail from this address
      for (int i = 0; i < 3; i++) {
        Refusal r = TestDelegate.refused(node.ws(), TestDelegate.options(limited.delegatePort(), "dt_wrong" + i,
            acc, "d"));
        assertEquals(401, r.status(), "attempt " + i);
        assertEquals(null, r.retryAfter());
      }

      // THEN the next attempt, even with a valid token this node has not verified yet, is 429 rate_limited with a
      // Retry-After of at most a minute (a token the node knows to be live is let through: ValidTokenNeverLockedOutTest)
      String unseen = limitedAdmin.createToken(acc, "unseen-by-node");
      Refusal limitedAnswer = TestDelegate.refused(node.ws(), TestDelegate.options(limited.delegatePort(), unseen,
          acc, "d"));
      assertEquals(429, limitedAnswer.status());
      assertErrorBody(limitedAnswer.body(), "rate_limited");
      assertNotNull(limitedAnswer.retryAfter(), "Retry-After header");
      int retryAfter = Integer.parseInt(limitedAnswer.retryAfter());
      assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);

      // THEN the session opened before is untouched and the admin API still answers
      ok.send(new JsonObject().put("type", "heartbeat"));
      assertEquals("heartbeat_ack", ok.next().getString("type"));
      JsonObject cluster = limitedAdmin.get("/v1/cluster").json();
      assertEquals(1, cluster.getJsonArray("nodes").getJsonObject(0).getInteger("sessions"));
      ok.close();
    } finally {
      limited.close();
    }
  }

  /**
   * Verifies that a node that stopped accepting (the first step of a drain) refuses new delegates 503 unavailable
   * and reports not ready, while its open sessions are closed with 1001 going_away only when it stops.
   */
  @Test
  void drainingNodeRefusesWithUnavailable(Vertx vertx) {
    // GIVEN a node with one connected delegate
    TestNode draining = TestNode.memory();
    AdminClient drainingAdmin = new AdminClient(vertx, draining.adminPort(), TestNode.ROOT_KEY);
    JsonObject account = drainingAdmin.createAccount("Draining");
    String acc = account.getString("id");
    String token = account.getJsonObject("defaultToken").getString("value");
    TestDelegate open = TestDelegate.connect(node.ws(), TestDelegate.options(draining.delegatePort(), token, acc,
        "stays"));
    open.next("welcome");
    try {
      // WHEN it stops accepting
      draining.node().stopAccepting();

      // THEN a new connect is 503 unavailable and readiness is 503
      Refusal r = TestDelegate.refused(node.ws(), TestDelegate.options(draining.delegatePort(), token, acc, "late"));
      assertEquals(503, r.status());
      assertErrorBody(r.body(), "unavailable");
      assertEquals(503, plainGet(draining.adminPort(), "/health/ready").status());
      assertEquals(200, plainGet(draining.adminPort(), "/health/live").status());
      open.send(new JsonObject().put("type", "heartbeat"));
      assertEquals("heartbeat_ack", open.next().getString("type"));
    } finally {
      draining.close();
    }
    // THEN stopping closes the open session with 1001 going_away
    TestDelegate.Close close = open.awaitClose();
    assertEquals(1001, close.code());
    assertEquals("going_away", close.reason());
  }

  // ---- helpers

  record HttpAnswer(int status, String contentType, String body) {
  }

  private static HttpAnswer plainGet(int port, String path) {
    return Await.result(http.request(new RequestOptions().setMethod(HttpMethod.GET).setPort(port).setURI(path))
        .compose(req -> req.send().compose(resp -> resp.body().map(b -> new HttpAnswer(resp.statusCode(),
            String.valueOf(resp.getHeader("content-type")), b.toString())))));
  }

  private static WebSocketConnectOptions withHeaders(WebSocketConnectOptions o, Map<String, String> headers) {
    headers.forEach((k, v) -> {
      o.getHeaders().remove(k);
      o.addHeader(k, v);
    });
    return o;
  }

  /** The contract's error body: exactly {"error":{"code","message"}} with a non-empty message. */
  static void assertErrorBody(JsonObject body, String code) {
    assertEquals(Set.of("error"), body.fieldNames(), body.encode());
    JsonObject error = body.getJsonObject("error");
    assertEquals(Set.of("code", "message"), error.fieldNames(), body.encode());
    assertEquals(code, error.getString("code"), body.encode());
    assertFalse(error.getString("message").isBlank(), body.encode());
  }

  private static void assertNoSessions() {
    JsonObject cluster = node.admin().get("/v1/cluster").json();
    assertEquals(0, cluster.getJsonArray("nodes").getJsonObject(0).getInteger("sessions"), cluster.encode());
  }
}
