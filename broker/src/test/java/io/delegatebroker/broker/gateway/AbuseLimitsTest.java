package io.delegatebroker.broker.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.Await;
import io.delegatebroker.broker.testkit.BrokerNodeExtension;
import io.delegatebroker.broker.testkit.RawHttp;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.delegatebroker.broker.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Verifies the abuse limits over real sockets: failed handshakes are limited per source address without touching
 * delegates behind other addresses; oversized headers, bodies and frame floods are refused with the contract's JSON
 * error or close code, and never leave a session behind.
 */
@Timeout(60)
class AbuseLimitsTest {

  @RegisterExtension
  static final BrokerNodeExtension node = BrokerNodeExtension.memory().account("Acme");

  @AfterEach
  void noSessionLeft() {
    Await.until("every session is gone", 15, () -> node.node().sessions().size() == 0);
  }

  /** A WebSocket client whose connections come from this loopback address (all of 127/8 is loopback on Linux). */
  static WebSocketClient from(String localAddress) {
    return node.vertx().createWebSocketClient(new WebSocketClientOptions().setLocalAddress(localAddress)
        .setConnectTimeout(10_000));
  }

  @Test
  void oneAddressIsLimitedWhileDelegatesElsewhereConnect() {
    // GIVEN a client on 127.0.0.2 that fails 30 handshakes within the minute
    WebSocketClient attacker = from("127.0.0.2");
    for (int i = 0; i < 30; i++) {
      TestDelegate.Refusal r = TestDelegate.refused(attacker,
          TestDelegate.options(node.delegatePort(), "dt_guess" + i, node.accountId(), "x"));
      assertEquals(401, r.status());
    }

    // WHEN it tries again, even with a valid token this node has not verified yet (checking it would cost a store
    // query; a token already known to be live is let through, see ValidTokenNeverLockedOutTest)
    String unseen = node.admin().createToken(node.accountId(), "unseen-by-node");
    TestDelegate.Refusal limited = TestDelegate.refused(attacker,
        TestDelegate.options(node.delegatePort(), unseen, node.accountId(), "from-2"));

    // THEN it gets 429 rate_limited with Retry-After within the minute
    assertEquals(429, limited.status());
    assertEquals("rate_limited", limited.code());
    assertNotNull(limited.retryAfter());
    int retry = Integer.parseInt(limited.retryAfter());
    assertTrue(retry >= 1 && retry <= 60, "Retry-After " + retry);

    // AND a legitimate delegate on another address is welcomed as usual
    TestDelegate elsewhere = TestDelegate.connect(from("127.0.0.3"), node.delegatePort(), node.token(),
        node.accountId(), "from-3", Map.of());
    assertEquals("ACTIVE", elsewhere.next("welcome").getString("status"));
    TestDelegate local = TestDelegate.connect(TestDelegate.client(node.vertx()), node.delegatePort(), node.token(),
        node.accountId(), "from-1",
        Map.of());
    assertEquals("ACTIVE", local.next("welcome").getString("status"));
    elsewhere.close();
    local.close();
  }

  @Test
  void oversizedHandshakeHeaderIsRefusedWithJsonAndNoSession() throws Exception {
    // WHEN a valid handshake carries 20 KiB of extra header (the limit is 16 KiB)
    RawHttp.Response r = RawHttp.send("127.0.0.4", node.delegatePort(), RawHttp.upgradeRequest(node.token(),
        node.accountId(), "big")
        .header("X-Padding", "p".repeat(20 * 1024)).build());

    // THEN it is refused 431 with the contract's error and no session
    assertEquals(431, r.status(), r.toString());
    assertEquals("too_large", r.json().getJsonObject("error").getString("code"));
    assertEquals(0, node.node().sessions().size());

    // AND a handshake with 12 KiB of headers, under the limit, is accepted
    RawHttp.Response ok = RawHttp.send("127.0.0.4", node.delegatePort(), RawHttp.upgradeRequest(node.token(),
        node.accountId(), "ok")
        .header("X-Padding", "p".repeat(12 * 1024)).build());
    assertEquals(101, ok.status(), ok.toString());
  }

  @Test
  void malformedHttpIsRefusedWithJson() throws Exception {
    // WHEN the bytes are not HTTP, or the request line is over the limit
    RawHttp.Response garbage = RawHttp.sendBytes("127.0.0.5", node.delegatePort(),
        "\u0001\u0002 nonsense\r\nX: y\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    RawHttp.Response longLine = RawHttp.send("127.0.0.5", node.delegatePort(),
        "GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n");

    // THEN both are answered with the contract's error body, not an empty one
    assertEquals(400, garbage.status(), garbage.toString());
    assertEquals("bad_request", garbage.json().getJsonObject("error").getString("code"));
    assertEquals(414, longLine.status(), longLine.toString());
    assertEquals("too_large", longLine.json().getJsonObject("error").getString("code"));
  }

  @Test
  void adminPortRefusesOversizedBodiesHeadersAndUnknownPathsWithJson() throws Exception {
    // WHEN a body is over 64 KiB
    AdminClient.Response body = node.admin().post("/v1/accounts", new JsonObject().put("name", "n".repeat(70 * 1024)));
    // THEN 413 too_large
    assertEquals(413, body.status(), body.body());
    assertEquals("too_large", body.errorCode());

    // WHEN a large JSON body comes as `curl -d` sends it (Content-Type: application/x-www-form-urlencoded)
    JsonObject profile = new JsonObject().put("name", "big-script").put("approvalRequired", false)
        .put("startupScript", "echo " + "x".repeat(30 * 1024) + " && a=1&b=2");
    AdminClient.Response curl = node.admin().send(HttpMethod.POST, "/v1/accounts/" + node.accountId() + "/profiles",
        profile.encode(),
        "application/x-www-form-urlencoded");
    // THEN it is read as the JSON it is
    assertEquals(201, curl.status(), curl.body());
    // AND form-encoded or multipart bytes that are not JSON are a 400, not a failure
    for (String type : new String[] {"application/x-www-form-urlencoded", "multipart/form-data; boundary=zz"}) {
      AdminClient.Response form = node.admin().send(HttpMethod.POST, "/v1/accounts/" + node.accountId() + "/profiles",
          "a=" + "y".repeat(20_000) + "&b=" + "&c".repeat(2000) + "--zz\r\nbroken", type);
      assertEquals(400, form.status(), type + ": " + form.body());
      assertEquals("bad_request", form.errorCode());
    }

    // WHEN text cannot be stored as sent (a NUL, an unpaired surrogate) or an account id could never exist
    AdminClient.Response nul = node.admin().post("/v1/accounts", new JsonObject().put("name", "a\u0000b"));
    assertEquals(400, nul.status(), nul.body());
    assertTrue(nul.json().getJsonObject("error").getString("message").contains("'name'"), nul.body());
    AdminClient.Response surrogate = node.admin().post("/v1/accounts/" + node.accountId() + "/profiles",
        new JsonObject().put("name", "s").put("startupScript", "echo \ud800"));
    assertEquals(400, surrogate.status(), surrogate.body());
    assertEquals(404, node.admin().get("/v1/accounts/%00%01").status());

    // WHEN the path or method is unknown, in or outside /v1
    for (AdminClient.Response r : new AdminClient.Response[] {node.admin().get("/nope"),
        node.admin().post("/metrics", "{}"),
        node.admin().send(HttpMethod.PATCH, "/v1/accounts", "{}"), node.admin().get("/v1/nope")}) {
      // THEN 404 not_found with the JSON body
      assertEquals(404, r.status(), r.body());
      assertEquals("not_found", r.errorCode());
    }

    // WHEN the headers are over 16 KiB THEN 431 with the JSON body
    RawHttp.Response big = RawHttp.send("127.0.0.6", node.adminPort(), "GET /v1/accounts HTTP/1.1\r\nHost: x\r\n"
        + "Authorization: Bearer " + TestNode.ROOT_KEY + "\r\nX-Padding: " + "p".repeat(20 * 1024) + "\r\n\r\n");
    assertEquals(431, big.status(), big.toString());
    assertEquals("too_large", big.json().getJsonObject("error").getString("code"));
  }

  @Test
  void aFrameFloodClosesTheSessionWith1008() {
    // GIVEN a connected delegate
    TestDelegate d = TestDelegate.connect(TestDelegate.client(node.vertx()), node.delegatePort(), node.token(),
        node.accountId(), "flood", Map.of());
    d.next("welcome");

    // WHEN it sends 300 heartbeats as fast as it can (the limit is 100 per second)
    String hb = new JsonObject().put("type", "heartbeat").encode();
    for (int i = 0; i < 300 && !d.isClosed(); i++) {
      d.socket().writeTextMessage(hb);
    }

    // THEN the broker closes it with 1008
    TestDelegate.Close close = d.awaitClose();
    assertEquals(1008, close.code());
    assertEquals("policy_violation", close.reason());
  }

  @Test
  void framesOverTheLimitCloseWith1009HoweverTheyArrive() {
    // (a Vert.x of its own: see the note in FrameFuzzTest about large writes cut short)
    Vertx own = Vertx.vertx();
    try {
      WebSocketClient client = TestDelegate.client(own);
      String pad = "p".repeat(70 * 1024);
      // one frame over 64 KiB; one over the listener's 128 KiB frame limit; 64 KiB + 1 in fragments
      TestDelegate one = TestDelegate.connect(client, node.delegatePort(), node.token(), node.accountId(), "big-1",
          Map.of());
      one.next("welcome");
      one.send(new JsonObject().put("type", "heartbeat").put("pad", pad));
      TestDelegate huge = TestDelegate.connect(client, node.delegatePort(), node.token(), node.accountId(), "big-2",
          Map.of());
      huge.next("welcome");
      huge.socket().writeTextMessage("h".repeat(200 * 1024));
      TestDelegate split = TestDelegate.connect(client, node.delegatePort(), node.token(), node.accountId(),
          "big-3", Map.of());
      split.next("welcome");
      split.socket().writeFrame(WebSocketFrame.textFrame("s".repeat(32 * 1024), false));
      split.socket().writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("s".repeat(32 * 1024 + 1)), true));
      for (TestDelegate d : List.of(one, huge, split)) {
        TestDelegate.Close close = d.awaitClose();
        assertEquals(1009, close.code());
        assertEquals("message_too_big", close.reason());
      }
      // AND a message split behind an empty first fragment is still read (Vert.x's own assembly used to lose it)
      TestDelegate fragmented = TestDelegate.connect(client, node.delegatePort(), node.token(), node.accountId(),
          "frag", Map.of());
      fragmented.next("welcome");
      fragmented.socket().writeFrame(WebSocketFrame.textFrame("", false));
      fragmented.socket().writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("{\"type\":\"heartbeat\"}"), true));
      assertEquals("heartbeat_ack", fragmented.next().getString("type"));
      fragmented.close();
    } finally {
      Await.result(own.close());
    }
  }
}
