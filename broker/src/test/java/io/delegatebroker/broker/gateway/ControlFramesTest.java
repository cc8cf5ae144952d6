package io.delegatebroker.broker.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.Await;
import io.delegatebroker.broker.testkit.BrokerNodeExtension;
import io.delegatebroker.broker.testkit.LogCapture;
import io.delegatebroker.broker.testkit.RawWebSocket;
import io.delegatebroker.broker.testkit.RawWebSocket.Frame;
import io.delegatebroker.broker.testkit.Scrape;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Verifies RFC 6455 control frames on a raw socket that answers nothing by itself: pings get exactly one pong, pongs
 * and pings are liveness, the broker pings quiet sessions, a delegate's close is its own (not a violation), and nothing
 * a session sends after the broker closed it is acted on. The node runs with a 1 s heartbeat (idle after 3 s).
 */
@Timeout(60)
class ControlFramesTest {

  private static final String HEARTBEAT = "{\"type\":\"heartbeat\"}";

  @RegisterExtension
  static final BrokerNodeExtension node = BrokerNodeExtension.memory().with("BROKER_HEARTBEAT_SECONDS", "1")
      .account("Control frames");

  /** Verifies that a ping is answered with one pong carrying its payload, and the session goes on. */
  @Test
  void pingIsAnsweredWithOnePong() throws Exception {
    // GIVEN a welcomed raw delegate
    try (RawWebSocket ws = welcomed("pinger", node.token())) {
      // WHEN it pings with a payload, then heartbeats
      ws.send(RawWebSocket.PING, true, "are-you-there".getBytes(StandardCharsets.UTF_8));
      ws.text(HEARTBEAT);

      // THEN the next frames are one pong with the payload, then the heartbeat's ack (no second pong, no close)
      Frame pong = ws.readSkippingPings(5000);
      assertEquals(RawWebSocket.PONG, pong.opcode(), pong.toString());
      assertArrayEquals("are-you-there".getBytes(StandardCharsets.UTF_8), pong.payload());
      Frame ack = ws.readSkippingPings(5000);
      assertEquals("heartbeat_ack", ack.json().getString("type"), ack.toString());
    }
  }

  /**
   * Verifies that a delegate sending only unsolicited pongs, never answering the broker's pings, stays connected past
   * three heartbeat periods; one that sends nothing is pinged first and closed with 1000 idle_timeout.
   */
  @Test
  void pongsAreLivenessAndSilenceIsPingedThenClosed() throws Exception {
    // GIVEN two raw delegates that never answer a ping
    try (RawWebSocket ponging = welcomed("ponger", node.token()); RawWebSocket silent = welcomed("silent",
        node.token())) {
      // WHEN one sends an unsolicited pong every 400 ms for 4.4 s (over three 1 s periods) and the other nothing
      long start = System.nanoTime();
      List<Frame> toSilent = new ArrayList<>();
      Thread reader = new Thread(() -> {
        try {
          for (Frame f = silent.read(10_000); f != null; f = silent.read(10_000)) {
            synchronized (toSilent) {
              toSilent.add(f);
            }
            if (f.opcode() == RawWebSocket.CLOSE) {
              break;
            }
          }
        } catch (Exception | AssertionError e) {
          // the test below says what was missing
        }
      });
      reader.start();
      while (System.nanoTime() - start < 4_400_000_000L) {
        ponging.send(RawWebSocket.PONG, true, new byte[0]);
        Thread.sleep(400); // the cadence of the client under test, not a wait for the broker
      }

      // THEN the ponging one is still open: a heartbeat is acknowledged
      ponging.text(HEARTBEAT);
      Frame ack = ponging.readSkippingPings(5000);
      assertEquals("heartbeat_ack", ack.json().getString("type"), ack.toString());

      // THEN the silent one was pinged before it was closed with 1000 idle_timeout
      reader.join(15_000);
      synchronized (toSilent) {
        assertTrue(toSilent.stream().anyMatch(f -> f.opcode() == RawWebSocket.PING), "no ping before the close: " + toSilent);
        Frame close = toSilent.stream().filter(f -> f.opcode() == RawWebSocket.CLOSE).findFirst().orElse(null);
        assertNotNull(close, "not closed: " + toSilent);
        assertEquals(1000, close.closeCode());
        assertEquals("idle_timeout", close.closeReason());
      }
    }
  }

  /**
   * Verifies that a delegate's close frame is answered, logged and counted as the delegate's own close, and a dropped
   * connection as a lost one: neither is an eviction nor a policy violation.
   */
  @Test
  void delegateCloseIsItsOwnNotAViolation() throws Exception {
    try (LogCapture logs = LogCapture.open()) {
      Scrape before = Scrape.of(node.admin());

      // GIVEN two welcomed raw delegates
      RawWebSocket closing = welcomed("closer", node.token());
      RawWebSocket dropping = welcomed("dropper", node.token());

      // WHEN one sends a close frame 1000 "bye" and the other drops its connection
      closing.close(1000, "bye");
      Frame echo = closing.readSkippingPings(5000);
      dropping.close();

      // THEN the broker answered the close with 1000 and closed the connection
      assertEquals(RawWebSocket.CLOSE, echo.opcode(), echo.toString());
      assertEquals(1000, echo.closeCode());
      assertNull(closing.readSkippingPings(15_000), "connection still open after the closing handshake");
      closing.close();

      // THEN each is counted by how it ended, and nothing as an eviction
      Await.until("both delegate closes counted", 10, () -> {
        Scrape now = Scrape.of(node.admin());
        return delta(before, now, "broker_delegate_closes_total", "how", "close_frame") == 1
            && delta(before, now, "broker_delegate_closes_total", "how", "connection_lost") == 1;
      });
      Scrape after = Scrape.of(node.admin());
      for (String cause : List.of("policy", "drain", "idle", "too_big")) {
        assertEquals(0, delta(before, after, "broker_evictions_total", "cause", cause), cause);
      }

      // THEN each has its own log line, and none says policy
      List<String> closed = logs.containing("session closed by delegate:");
      assertTrue(closed.stream().anyMatch(l -> l.contains("delegate=closer") && l.contains("how=close_frame")
          && l.contains("code=1000")), closed.toString());
      assertTrue(closed.stream().anyMatch(l -> l.contains("delegate=dropper") && l.contains("how=connection_lost")),
          closed.toString());
      assertTrue(logs.containing("reason=policy").isEmpty(), logs.containing("reason=policy").toString());
    }
  }

  /**
   * Verifies that after the broker closed a session (revoked, 4001), frames the client keeps sending before it answers
   * the close are not acted on: no heartbeat_ack, no message on the event bus.
   */
  @Test
  void nothingIsActedOnAfterTheBrokerClosed() throws Exception {
    LinkedBlockingQueue<Message<JsonObject>> published = new LinkedBlockingQueue<>();
    MessageConsumer<JsonObject> consumer = node.node().vertx().eventBus()
        .consumer(SessionFrames.DELEGATE_MESSAGES_ADDRESS, published::add);
    Await.result(consumer.completion());
    try {
      // GIVEN a delegate with its own token
      String stolen = node.admin().createToken(node.accountId(), "stolen");
      RawWebSocket thief = welcomed("thief", stolen);

      // WHEN the token is revoked and the thief has its 4001
      assertEquals(1, node.admin().revoke(node.accountId(), "stolen").getInteger("evicted"));
      Frame close = thief.readSkippingPings(5000);
      assertEquals(4001, close.closeCode(), close.toString());

      // WHEN it keeps sending messages (whole and fragmented) and heartbeats, then answers the close
      for (int i = 0; i < 5; i++) {
        thief.text("{\"type\":\"message\",\"id\":\"after-" + i + "\",\"payload\":{}}");
        thief.text(HEARTBEAT);
      }
      thief.send(RawWebSocket.TEXT, false, "{\"type\":\"message\",".getBytes(StandardCharsets.UTF_8));
      thief.send(0x0, true, "\"id\":\"after-frag\",\"payload\":{}}".getBytes(StandardCharsets.UTF_8));
      thief.close(4001, "");

      // THEN it receives nothing more before the broker ends the connection
      Frame more = thief.readSkippingPings(15_000);
      assertNull(more, "after the close: " + more);
      thief.close();

      // THEN none of its messages was published: a message sent afterwards by a live delegate comes first
      RawWebSocket honest = welcomed("honest", node.token());
      honest.text("{\"type\":\"message\",\"id\":\"marker\",\"payload\":{}}");
      Message<JsonObject> first = published.poll(10, TimeUnit.SECONDS);
      assertNotNull(first, "the live delegate's message was not published");
      assertEquals("marker", first.body().getString("id"), "published after the close: " + first.body());
      honest.close();
    } finally {
      consumer.unregister();
    }
  }

  private static RawWebSocket welcomed(String name, String tokenValue) throws Exception {
    RawWebSocket ws = RawWebSocket.connect(node.delegatePort(), tokenValue, node.accountId(), name, name + "-1");
    Frame welcome = ws.readSkippingPings(5000);
    assertEquals("welcome", welcome.json().getString("type"), welcome.toString());
    return ws;
  }

  private static double delta(Scrape before, Scrape after, String name, String... labels) {
    return after.value(name, labels) - before.value(name, labels);
  }
}
