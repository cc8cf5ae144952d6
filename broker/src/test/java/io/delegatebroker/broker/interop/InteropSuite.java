package io.delegatebroker.broker.interop;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.gateway.SessionFrames;
import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.Await;
import io.delegatebroker.broker.testkit.LogCapture;
import io.delegatebroker.broker.testkit.Scrape;
import io.delegatebroker.broker.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * The broker as other people's WebSocket clients see it, at their default settings: one subclass per client library,
 * one node per library (heartbeat 1 s, so three periods pass in seconds). Every scenario is the library's own
 * behaviour against the contract: handshake and welcome, keepalive pings, an unsolicited pong, fragmentation,
 * 60 KiB messages with and without permessage-deflate, 1009 just over 64 KiB, the client's own close, and every close
 * code the broker sends, received by the library with the contract's reason text.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
abstract class InteropSuite {

  private static final int HEARTBEAT_SECONDS = 1;
  private static final String HEARTBEAT = "{\"type\":\"heartbeat\"}";

  private final AtomicInteger conns = new AtomicInteger();
  private final Map<String, JsonObject> published = new ConcurrentHashMap<>();
  private InteropClient client;
  private Vertx vertx;
  private TestNode node;
  private AdminClient admin;
  private MessageConsumer<JsonObject> consumer;
  private String acc;
  private String token;

  /** Starts the library under test; fails (never skips) when it cannot be set up. */
  abstract InteropClient openClient();

  @BeforeAll
  void start() {
    client = openClient();
    vertx = Vertx.vertx();
    node = startNode();
    admin = new AdminClient(vertx, node.adminPort(), TestNode.ROOT_KEY);
    consumer = node.node().vertx().eventBus().consumer(SessionFrames.DELEGATE_MESSAGES_ADDRESS,
        m -> published.put(m.body().getString("id"), m.body()));
    Await.result(consumer.completion());
    JsonObject account = admin.createAccount("Interop " + client.library());
    acc = account.getString("id");
    token = account.getJsonObject("defaultToken").getString("value");
  }

  @AfterAll
  void stop() {
    if (client != null) {
      client.close();
    }
    if (node != null) {
      node.close();
    }
    if (vertx != null) {
      Await.result(vertx.close());
    }
  }

  private static TestNode startNode() {
    Map<String, String> env = TestNode.env(null);
    env.put("BROKER_HEARTBEAT_SECONDS", Integer.toString(HEARTBEAT_SECONDS));
    return TestNode.start(env);
  }

  /** Verifies the handshake and the welcome, and that permessage-deflate is agreed when the library offers it. */
  @Test
  void handshakeAndWelcome() {
    // WHEN the library connects at its defaults
    Opened c = open("welcomed", true, null, token, null, node);

    // THEN the broker agreed to permessage-deflate exactly when the library offered it
    if (client.offersCompression()) {
      assertTrue(c.extensions.contains("permessage-deflate"), client.library() + ": extensions " + c.extensions);
    } else {
      assertEquals("", c.extensions, client.library());
    }

    // THEN the first message is the contract's welcome
    assertEquals("ACTIVE", c.welcome.getString("status"));
    assertEquals("welcomed-1", c.welcome.getString("instance"));
    assertEquals(node.nodeId(), c.welcome.getString("node"));
    assertEquals(HEARTBEAT_SECONDS, c.welcome.getInteger("heartbeatSeconds"));
    assertAlive(c.id);
    closeOwn(c.id);
  }

  /**
   * Verifies that keepalive pings are answered and keep a session open over more than three heartbeat periods, and
   * that a session that sends nothing at all is kept open by the library's automatic pongs to the broker's pings.
   */
  @Test
  void keepaliveKeepsSessionsOpen() throws InterruptedException {
    // GIVEN one connection pinging every 0.3 s (the library's keepalive, or the application's where it has none)
    // and one sending nothing
    Opened pinging = open("keepalive", true, 0.3, token, null, node);
    Opened silent = open("silent", true, null, token, null, node);

    // WHEN 3.5 heartbeat periods pass (the time is what is tested here: it is past the broker's idle limit)
    Thread.sleep((long) (3.5 * HEARTBEAT_SECONDS * 1000));

    // THEN neither was closed, and both still get heartbeat acks
    assertTrue(client.quiet(pinging.id) && client.quiet(silent.id), client.library() + ": an event while idle");
    assertAlive(pinging.id);
    assertAlive(silent.id);

    // THEN the pinging one's pings were answered, and the silent one was pinged where the library can tell
    JsonObject ps = stats(pinging.id);
    assertTrue(number(ps, "pongsReceived") > 0 || number(ps, "latency") > 0,
        client.library() + ": no pong to the keepalive pings " + ps);
    JsonObject ss = stats(silent.id);
    assertTrue(ss.getValue("pingsReceived") == null || number(ss, "pingsReceived") > 0,
        client.library() + ": the broker did not ping the silent session " + ss);
    closeOwn(pinging.id);
    closeOwn(silent.id);
  }

  /** Verifies that an unsolicited pong is taken as liveness, not as a violation. */
  @Test
  void unsolicitedPongIsLiveness() {
    Opened c = open("ponger", true, null, token, null, node);
    client.command(op("pong", c.id));
    assertAlive(c.id);
    closeOwn(c.id);
  }

  /** Verifies that a message sent in fragments is assembled: published on the event bus, and a heartbeat acked. */
  @Test
  void fragmentedMessagesAreAssembled() {
    Opened c = open("fragments", true, null, token, null, node);
    client.command(op("fragments", c.id).put("parts",
        new JsonArray().add("{\"type\":\"mess").add("age\",\"id\":\"frag-1\",").add("\"payload\":{\"k\":\"v\"}}")));
    awaitPublished("frag-1");
    assertEquals(new JsonObject().put("k", "v"), published.get("frag-1").getJsonObject("payload"));
    client.command(op("fragments", c.id).put("parts", new JsonArray().add("{\"type\":").add("\"heartbeat\"}")));
    assertEquals("heartbeat_ack", new JsonObject(client.expect(c.id, "text", 10).getString("data")).getString("type"));
    closeOwn(c.id);
  }

  /** Verifies that a 60 KiB message is delivered whole, sent with permessage-deflate and without. */
  @Test
  void sixtyKibMessagesAreDelivered() {
    for (boolean compress : new boolean[] {true, false}) {
      Opened c = open("big-" + compress, compress, null, token, null, node);
      String id = "big-" + compress;
      String text = message(id, 60 * 1024);
      client.command(op("text", c.id).put("data", text));
      awaitPublished(id);
      assertEquals(new JsonObject(text).getJsonObject("payload"), published.get(id).getJsonObject("payload"));
      assertAlive(c.id);
      closeOwn(c.id);
    }
  }

  /** Verifies that a message one byte over 64 KiB closes with 1009 message_too_big, compressed or not. */
  @Test
  void messagesOverSixtyFourKibClose1009() {
    for (boolean compress : new boolean[] {true, false}) {
      Opened c = open("too-big-" + compress, compress, null, token, null, node);
      client.command(op("text", c.id).put("data", message("too-big", 64 * 1024 + 1)));
      assertClose(c.id, 1009, "message_too_big");
      assertTrue(!published.containsKey("too-big"), "an oversized message was published");
    }
  }

  /** Verifies that the library's own close is answered and counted as the delegate's close, not as a violation. */
  @Test
  void ownCloseIsTheDelegates() {
    try (LogCapture logs = LogCapture.open()) {
      Opened c = open("leaver", true, null, token, null, node);
      Scrape before = Scrape.of(admin);
      client.command(op("close", c.id).put("code", 1000).put("reason", "bye"));
      assertEquals(1000, client.expect(c.id, "close", 15).getInteger("code"));
      Await.until("the close counted as the delegate's", 10, () -> Scrape.of(admin)
          .value("broker_delegate_closes_total", "how", "close_frame") > before.value("broker_delegate_closes_total",
              "how", "close_frame"));
      assertEquals(before.value("broker_evictions_total", "cause", "policy"),
          Scrape.of(admin).value("broker_evictions_total", "cause", "policy"));
      Await.until("the delegate's close logged", 5, () -> logs.containing("session closed by delegate:").stream()
          .anyMatch(l -> l.contains("delegate=leaver") && l.contains("how=close_frame") && l.contains("code=1000")));
      assertTrue(logs.containing("delegate=leaver").stream().noneMatch(l -> l.contains("reason=policy")));
    }
  }

  /** Verifies that the library receives every close code of the contract with its reason text. */
  @Test
  void everyServerCloseCodeReachesTheLibrary() {
    // GIVEN sessions set up for each close: a token to revoke, a token expiring in 3 s, a pending delegate, a
    // delegate to delete, an instance to replace, and one that will send an unknown frame type
    String revocable = admin.createToken(acc, "to-revoke");
    JsonObject expiring = admin.post("/v1/accounts/" + acc + "/tokens", new JsonObject().put("name", "expiring")
        .put("expiresAt", Instant.now().plusSeconds(3).toString())).json();
    Opened expires = open("expires", true, null, expiring.getString("value"), null, node);
    assertEquals(201, admin.post("/v1/accounts/" + acc + "/profiles",
        new JsonObject().put("name", "gated").put("approvalRequired", true)).status());
    Opened revoked = open("revoked", true, null, revocable, null, node);
    Opened rejected = open("rejected", true, null, token, "gated", node);
    assertEquals("PENDING_APPROVAL", rejected.welcome.getString("status"));
    Opened deleted = open("deleted", true, null, token, null, node);
    Opened replaced = open("replaced", true, null, token, null, node);
    Opened violator = open("violator", true, null, token, null, node);

    // WHEN each is brought about
    assertEquals(1, admin.revoke(acc, "to-revoke").getInteger("evicted"));
    assertEquals(200, admin.post("/v1/accounts/" + acc + "/delegates/" + rejected.welcome.getString("delegateId")
        + "/reject", null).status());
    assertEquals(204, admin.delete("/v1/accounts/" + acc + "/delegates/" + deleted.welcome.getString("delegateId"))
        .status());
    Opened replacement = open("replaced", true, null, token, null, node);
    client.command(op("text", violator.id).put("data", "{\"type\":\"status\"}"));

    // THEN each library connection received its code and reason
    Map<Opened, Object[]> expected = new LinkedHashMap<>();
    expected.put(revoked, new Object[] {4001, "token_revoked"});
    expected.put(expires, new Object[] {4002, "token_expired"});
    expected.put(rejected, new Object[] {4003, "delegate_rejected"});
    expected.put(deleted, new Object[] {4004, "delegate_deleted"});
    expected.put(replaced, new Object[] {4005, "replaced"});
    expected.put(violator, new Object[] {1008, "policy_violation"});
    assertAll(expected.entrySet().stream().map(e -> (Executable) () ->
        assertClose(e.getKey().id, (Integer) e.getValue()[0], (String) e.getValue()[1])));
    assertAlive(replacement.id);
    closeOwn(replacement.id);
  }

  /** Verifies that a draining node closes the library's session with 1001 going_away. */
  @Test
  void drainClosesWith1001() {
    // GIVEN a session on a node of its own
    TestNode draining = startNode();
    boolean drained = false;
    try {
      JsonObject account = new AdminClient(vertx, draining.adminPort(), TestNode.ROOT_KEY).createAccount("Drain");
      Opened c = open("drained", true, null, account.getJsonObject("defaultToken").getString("value"),
          null, draining, account.getString("id"));

      // WHEN the node drains THEN the library receives 1001 going_away
      drained = true;
      draining.close();
      assertClose(c.id, 1001, "going_away");
    } finally {
      if (!drained) {
        draining.close();
      }
    }
  }

  private record Opened(String id, String extensions, JsonObject welcome) {
  }

  private Opened open(String name, boolean compress, Double pingInterval, String tokenValue, String profile,
      TestNode target) {
    return open(name, compress, pingInterval, tokenValue, profile, target, acc);
  }

  /** Connects as delegate {@code name}, instance {@code name-1}, and reads the welcome. */
  private Opened open(String name, boolean compress, Double pingInterval, String tokenValue, String profile,
      TestNode target, String account) {
    String id = name + "#" + conns.incrementAndGet();
    JsonObject headers = new JsonObject().put("Authorization", "Delegate " + tokenValue).put("X-Account-Id", account)
        .put("X-Delegate-Name", name).put("X-Delegate-Instance", name + "-1");
    if (profile != null) {
      headers.put("X-Delegate-Profile", profile);
    }
    JsonObject connect = op("connect", id).put("url", "ws://127.0.0.1:" + target.delegatePort() + "/v1/delegates/connect")
        .put("headers", headers).put("compress", compress);
    if (pingInterval != null) {
      connect.put("pingInterval", pingInterval);
    }
    client.command(connect);
    JsonObject opened = client.expect(id, "open", 15);
    JsonObject welcome = new JsonObject(client.expect(id, "text", 10).getString("data"));
    assertEquals("welcome", welcome.getString("type"), client.library() + ": " + welcome);
    return new Opened(id, opened.getString("extensions", ""), welcome);
  }

  private static JsonObject op(String op, String conn) {
    return new JsonObject().put("op", op).put("conn", conn);
  }

  /** A delegate message frame of exactly {@code bytes} UTF-8 bytes. */
  private static String message(String id, int bytes) {
    String head = "{\"type\":\"message\",\"id\":\"" + id + "\",\"payload\":{\"pad\":\"";
    String tail = "\"}}";
    int pad = bytes - head.getBytes(StandardCharsets.UTF_8).length - tail.length();
    StringBuilder b = new StringBuilder(bytes).append(head);
    for (int i = 0; i < pad; i++) {
      b.append((char) ('a' + (i * 7 + i / 26) % 26));
    }
    return b.append(tail).toString();
  }

  private void assertAlive(String conn) {
    client.command(op("text", conn).put("data", HEARTBEAT));
    JsonObject e = client.expect(conn, "text", 10);
    assertEquals("heartbeat_ack", new JsonObject(e.getString("data")).getString("type"), client.library() + ": " + e);
  }

  private void assertClose(String conn, int code, String reason) {
    JsonObject e = client.expect(conn, "close", 15);
    assertEquals(code, e.getInteger("code"), client.library() + " " + conn + ": " + e);
    assertEquals(reason, e.getString("reason"), client.library() + " " + conn + ": " + e);
  }

  /** Closes the connection from the library's side and waits for the broker's answer. */
  private void closeOwn(String conn) {
    client.command(op("close", conn).put("code", 1000).put("reason", "done"));
    assertEquals(1000, client.expect(conn, "close", 15).getInteger("code"), client.library() + " " + conn);
  }

  private JsonObject stats(String conn) {
    client.command(op("stats", conn));
    return client.expect(conn, "stats", 10);
  }

  private void awaitPublished(String id) {
    Await.until(client.library() + ": message " + id + " published on the event bus", 10,
        () -> published.containsKey(id));
  }

  private static double number(JsonObject o, String key) {
    Number n = (Number) o.getValue(key);
    return n == null ? 0 : n.doubleValue();
  }
}
