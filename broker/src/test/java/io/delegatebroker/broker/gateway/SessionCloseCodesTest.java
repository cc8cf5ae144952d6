package io.delegatebroker.broker.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.Await;
import io.delegatebroker.broker.testkit.BrokerNodeExtension;
import io.delegatebroker.broker.testkit.RawWebSocket;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.delegatebroker.broker.testkit.TestDelegate.Close;
import io.delegatebroker.broker.testkit.TestDelegate.Refusal;
import io.delegatebroker.broker.testkit.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Verifies the close codes and reasons with which the broker ends a delegate session (contract section 2): token
 * expiry, replacement, protocol violations, oversized frames, frame floods and idleness.
 */
@ExtendWith(VertxExtension.class)
@Timeout(90)
class SessionCloseCodesTest {

  private static final JsonObject HEARTBEAT = new JsonObject().put("type", "heartbeat");

  @RegisterExtension
  static final BrokerNodeExtension node = BrokerNodeExtension.memory().account("Closes");

  /** Verifies that a session is closed with 4002 token_expired promptly at its token's expiry, and the token then refused. */
  @Test
  void expiringTokenClosesSessionAtExpiry() {
    // GIVEN a token expiring in about 1.5 s and a delegate connected with it
    JsonObject created = node.admin().post("/v1/accounts/" + node.accountId() + "/tokens", new JsonObject()
        .put("name", "short-lived").put("expiresAt", Instant.now().plusMillis(1500).toString())).json();
    Instant expiresAt = Instant.parse(created.getString("expiresAt"));
    TestDelegate d = TestDelegate.connect(node.ws(), TestDelegate.options(node.delegatePort(),
        created.getString("value"), node.accountId(), "expiring"));
    d.next("welcome");

    // WHEN the expiry passes
    Close close = d.awaitClose();
    Instant closedAt = Instant.now();

    // THEN the session was closed with 4002 token_expired, not before the expiry and within 2.5 s after it
    assertEquals(4002, close.code());
    assertEquals("token_expired", close.reason());
    long afterExpiry = Duration.between(expiresAt, closedAt).toMillis();
    assertTrue(afterExpiry >= -50, "closed " + -afterExpiry + " ms before the expiry");
    assertTrue(afterExpiry <= 2500, "closed " + afterExpiry + " ms after the expiry");

    // THEN a new connect with the token is refused 401
    Refusal r = TestDelegate.refused(node.ws(), TestDelegate.options(node.delegatePort(),
        created.getString("value"), node.accountId(), "expiring"));
    assertEquals(401, r.status());
    assertEquals("invalid_token", r.code());
  }

  /** Verifies that a second session of the same delegate instance replaces the first (4005), and the second stays. */
  @Test
  void sameInstanceReplacesTheOldSession() {
    // GIVEN a connected delegate instance
    TestDelegate first = connect("replaced", "host-1");

    // WHEN the same account, delegate and instance connect again
    TestDelegate second = connect("replaced", "host-1");

    // THEN the first session is closed with 4005 replaced
    Close close = first.awaitClose();
    assertEquals(4005, close.code());
    assertEquals("replaced", close.reason());

    // THEN the second stays open and is the one listed
    assertHeartbeatAcked(second);
    var connections = node.admin().get("/v1/accounts/" + node.accountId() + "/tokens/default/connections").items()
        .stream().map(o -> (JsonObject) o).filter(c -> "replaced".equals(c.getString("delegate"))).toList();
    assertEquals(1, connections.size());
    assertEquals("host-1", connections.get(0).getString("instance"));
    second.close();
  }

  /** Verifies that another instance of the same delegate, or the same instance name of another delegate, replaces nothing. */
  @Test
  void otherInstancesDoNotReplace() {
    // GIVEN a connected delegate instance
    TestDelegate first = connect("multi", "host-1");

    // WHEN another instance of the delegate and a same-named instance of another delegate connect
    TestDelegate otherInstance = connect("multi", "host-2");
    TestDelegate otherDelegate = connect("multi-b", "host-1");

    // THEN all three stay open (a heartbeat round trip on the first proves no close was sent before it)
    assertHeartbeatAcked(first);
    assertHeartbeatAcked(otherInstance);
    assertHeartbeatAcked(otherDelegate);
    assertFalse(first.isClosed());
    first.close();
    otherInstance.close();
    otherDelegate.close();
  }

  /** Verifies that each kind of frame outside the protocol closes the session with 1008 policy_violation. */
  @Test
  void framesOutsideTheProtocolAreViolations() {
    Map<String, String> frames = new LinkedHashMap<>();
    frames.put("malformed JSON", "{\"type\":\"heartbeat\"");
    frames.put("not an object", "[\"heartbeat\"]");
    frames.put("plain text", "heartbeat");
    frames.put("no type", "{\"id\":\"m1\"}");
    frames.put("unknown type", "{\"type\":\"status\"}");
    frames.put("type not a string", "{\"type\":1}");
    frames.put("message without payload", "{\"type\":\"message\",\"id\":\"m1\"}");
    frames.put("message with non-object payload", "{\"type\":\"message\",\"id\":\"m1\",\"payload\":\"x\"}");
    frames.put("message without id", "{\"type\":\"message\",\"payload\":{}}");
    frames.forEach((what, text) -> {
      // GIVEN a connected delegate
      TestDelegate d = connect("violator", "v");
      // WHEN it sends the frame
      d.send(text);
      // THEN it is closed with 1008 policy_violation
      Close close = d.awaitClose();
      assertEquals(1008, close.code(), what);
      assertEquals("policy_violation", close.reason(), what);
    });

    // GIVEN a connected delegate WHEN it sends a binary frame THEN 1008 policy_violation
    TestDelegate binary = connect("violator", "v");
    Await.result(binary.socket().writeBinaryMessage(Buffer.buffer("{\"type\":\"heartbeat\"}")));
    Close close = binary.awaitClose();
    assertEquals(1008, close.code());
    assertEquals("policy_violation", close.reason());

    // THEN a well-formed delegate message is accepted (no close, later heartbeat acknowledged)
    TestDelegate good = connect("violator", "v");
    good.send(new JsonObject().put("type", "message").put("id", "m1").put("payload", new JsonObject().put("k", 1)));
    assertHeartbeatAcked(good);
    good.close();
  }

  /** Verifies that a frame of up to 64 KiB is accepted and a larger one closes the session with 1009 message_too_big. */
  @Test
  void oversizedFramesAreTooBig() {
    // GIVEN a connected delegate WHEN it sends a heartbeat padded to exactly 64 KiB THEN it is acknowledged
    TestDelegate d = connect("big", "b");
    d.send(heartbeatOfBytes(64 * 1024));
    assertEquals("heartbeat_ack", d.next().getString("type"));

    // WHEN it sends one of 64 KiB + 1 byte THEN it is closed with 1009 message_too_big
    d.send(heartbeatOfBytes(64 * 1024 + 1));
    Close close = d.awaitClose();
    assertEquals(1009, close.code());
    assertEquals("message_too_big", close.reason());

    // WHEN another sends a far larger frame (200 KiB) THEN it is closed with 1009 too
    TestDelegate huge = connect("big", "b2");
    huge.socket().writeTextMessage(heartbeatOfBytes(200 * 1024));
    Close hugeClose = huge.awaitClose();
    assertEquals(1009, hugeClose.code());
    assertEquals("message_too_big", hugeClose.reason());

    // WHEN another sends 200 KiB as one message fragmented into 32 KiB frames THEN it is closed with 1009 too
    TestDelegate fragmented = connect("big", "b3");
    Buffer whole = Buffer.buffer(heartbeatOfBytes(200 * 1024));
    int chunk = 32 * 1024;
    for (int at = 0; at < whole.length(); at += chunk) {
      Buffer part = whole.getBuffer(at, Math.min(whole.length(), at + chunk));
      boolean last = at + chunk >= whole.length();
      fragmented.socket().writeFrame(at == 0 ? WebSocketFrame.textFrame(part.toString(), last)
          : WebSocketFrame.continuationFrame(part, last));
    }
    Close fragmentedClose = fragmented.awaitClose();
    assertEquals(1009, fragmentedClose.code());
    assertEquals("message_too_big", fragmentedClose.reason());
  }

  /** Verifies that more than 100 frames within a second close the session with 1008, while 50 do not. */
  @Test
  void frameFloodIsAViolation() {
    // GIVEN a connected delegate WHEN it sends 50 heartbeats at once THEN all are acknowledged and it stays open
    TestDelegate calm = connect("flood", "calm");
    List<Future<Void>> writes = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      writes.add(calm.socket().writeTextMessage(HEARTBEAT.encode()));
    }
    Await.result(Future.all(writes));
    for (int i = 0; i < 50; i++) {
      assertEquals("heartbeat_ack", calm.next().getString("type"), "ack " + i);
    }
    calm.close();

    // GIVEN a connected delegate WHEN it sends 300 heartbeats as fast as it can
    TestDelegate flood = connect("flood", "loud");
    for (int i = 0; i < 300; i++) {
      flood.socket().writeTextMessage(HEARTBEAT.encode());
    }

    // THEN it is closed with 1008 policy_violation
    Close close = flood.awaitClose();
    assertEquals(1008, close.code());
    assertEquals("policy_violation", close.reason());
  }

  /**
   * Verifies that with a 1 s heartbeat period a silent delegate is closed with 1000 idle_timeout after about 3 s,
   * while one that heartbeats stays open past that time.
   */
  @Test
  void silentDelegateIsClosedAfterThreeHeartbeatPeriods(Vertx vertx) throws Exception {
    // GIVEN a node with a heartbeat period of 1 s
    Map<String, String> env = TestNode.env(null);
    env.put("BROKER_HEARTBEAT_SECONDS", "1");
    TestNode fast = TestNode.start(env);
    try {
      AdminClient fastAdmin = new AdminClient(vertx, fast.adminPort(), TestNode.ROOT_KEY);
      JsonObject account = fastAdmin.createAccount("Idle");
      String id = account.getString("id");
      String value = account.getJsonObject("defaultToken").getString("value");

      // WHEN one delegate stays silent (a raw socket that answers not even the broker's pings) and another
      // heartbeats every 500 ms
      Instant connectedAt = Instant.now();
      RawWebSocket silent = RawWebSocket.connect(fast.delegatePort(), value, id, "silent", "silent");
      assertEquals(1, silent.read(5000).json().getInteger("heartbeatSeconds"));
      TestDelegate alive = TestDelegate.connect(node.ws(), TestDelegate.options(fast.delegatePort(), value, id,
          "alive"));
      alive.next("welcome");
      long timer = vertx.setPeriodic(500, t -> alive.socket().writeTextMessage(HEARTBEAT.encode()));
      try {
        // THEN the silent one is closed with 1000 idle_timeout, after 3 periods and within a few seconds more
        RawWebSocket.Frame close = silent.awaitClose(10_000);
        long after = Duration.between(connectedAt, Instant.now()).toMillis();
        silent.close();
        assertEquals(1000, close.closeCode());
        assertEquals("idle_timeout", close.closeReason());
        assertTrue(after >= 3000, "closed after " + after + " ms");
        assertTrue(after <= 7000, "closed after " + after + " ms");

        // THEN the heartbeating one is still open well past 3 periods from its connect
        while (Duration.between(connectedAt, Instant.now()).toMillis() < 5000) {
          assertEquals("heartbeat_ack", alive.next().getString("type"));
        }
        assertFalse(alive.isClosed());
      } finally {
        vertx.cancelTimer(timer);
      }
      alive.close();
    } finally {
      fast.close();
    }
  }

  // ---- helpers

  private static TestDelegate connect(String name, String instance) {
    TestDelegate d = TestDelegate.connect(node.ws(), node.delegatePort(), node.token(), node.accountId(), name,
        Map.of("X-Delegate-Instance", instance));
    d.next("welcome");
    return d;
  }

  private static void assertHeartbeatAcked(TestDelegate d) {
    d.send(HEARTBEAT);
    JsonObject f = d.next();
    assertEquals("heartbeat_ack", f.getString("type"), f.encode());
    assertNull(d.poll(0), "no other frame");
  }

  /** A heartbeat frame of exactly the given size in UTF-8 bytes. */
  private static String heartbeatOfBytes(int bytes) {
    String prefix = "{\"type\":\"heartbeat\",\"pad\":\"";
    String suffix = "\"}";
    return prefix + "x".repeat(bytes - prefix.length() - suffix.length()) + suffix;
  }
}
