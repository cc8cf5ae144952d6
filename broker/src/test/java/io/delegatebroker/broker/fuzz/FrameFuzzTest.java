package io.delegatebroker.broker.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.Await;
import io.delegatebroker.broker.testkit.BrokerNodeExtension;
import io.delegatebroker.broker.testkit.Fuzz;
import io.delegatebroker.broker.testkit.RawHttp;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fuzzes what delegates send after the upgrade: random JSON (valid frames among them), random text, invalid UTF-8,
 * messages split into random fragments, huge and deeply nested JSON, binary frames. Each message is checked against
 * what the contract says it must do: a heartbeat is acknowledged, a well-formed message is accepted silently, anything
 * else closes the session with 1008, and anything over 64 KiB with 1009. The node stays up and every session is gone
 * once the delegates are.
 */
@Timeout(120)
class FrameFuzzTest {

  static final int MAX = 64 * 1024;
  @RegisterExtension
  static final BrokerNodeExtension node = BrokerNodeExtension.memory().account("Fuzz");
  static WebSocketClient ws;

  static Vertx delegates;

  @BeforeAll
  static void start() {
    // The delegates get a Vert.x of their own, and the node's liveness is checked on a plain socket: with Vert.x 5.0.10,
    // after the broker closed client WebSockets in the middle of large writes, the test's pooled HTTP client was seen
    // to never write its next request (the server kept answering fresh connections at once).
    delegates = Vertx.vertx();
    ws = TestDelegate.client(delegates);
  }

  @AfterAll
  static void stop() {
    Await.result(delegates.close());
  }

  /** What the broker must do with a message. */
  enum Expect { ACK, SILENT, POLICY, TOO_BIG }

  /** One message as the frames that carry it. */
  record Message(String kind, List<WebSocketFrame> frames, Expect expect) {
  }

  @Test
  void randomFramesNeverBreakTheNode() throws Exception {
    Fuzz fuzz = new Fuzz(0x5eed_f4a3L);
    long deadline = System.nanoTime() + 20_000_000_000L;
    int messages = 0;
    int sessions = 0;
    int[] outcomes = new int[Expect.values().length];
    TestDelegate d = null;
    while (messages < 400 && System.nanoTime() < deadline) {
      if (d == null) {
        d = TestDelegate.connect(ws, node.delegatePort(), node.token(), node.accountId(), "fz-" + sessions++, Map.of());
        d.next("welcome");
      }
      Message m = message(fuzz);
      String what = "message " + messages + " (" + m.kind() + ", seed " + fuzz.seed + ")";
      messages++;
      outcomes[m.expect().ordinal()]++;
      for (WebSocketFrame f : m.frames()) {
        d.socket().writeFrame(f);
      }
      switch (m.expect()) {
        case ACK -> assertEquals("heartbeat_ack", d.next().getString("type"), what);
        case SILENT -> {
          // Accepted without an answer: the heartbeat sent after it is the next thing acknowledged.
          d.send(new JsonObject().put("type", "heartbeat"));
          assertEquals("heartbeat_ack", d.next().getString("type"), what);
        }
        case POLICY, TOO_BIG -> {
          TestDelegate.Close close = d.awaitClose();
          int code = m.expect() == Expect.POLICY ? 1008 : 1009;
          assertEquals(code, close.code(), what + " closed with " + close);
          assertEquals(code == 1008 ? "policy_violation" : "message_too_big", close.reason(), what);
          d = null;
        }
      }
    }
    if (d != null) {
      d.close();
    }
    // THEN the node is up and no session is left
    // (checked on a fresh socket: see the note on the delegates' Vert.x)
    assertEquals(200, RawHttp.send("127.0.0.1", node.adminPort(), "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
        .status());
    Await.until("every session is gone", 15, () -> node.node().sessions().size() == 0);
    assertTrue(messages >= 100, "only " + messages + " messages in the time");
    for (Expect e : Expect.values()) {
      assertTrue(outcomes[e.ordinal()] > 0, "no " + e + " case among " + messages + " messages");
    }
  }

  /** A random message and what the contract says it must do. */
  private static Message message(Fuzz fuzz) {
    switch (fuzz.random.nextInt(10)) {
      case 0:
        return text(fuzz, "heartbeat", new JsonObject().put("type", "heartbeat").encode());
      case 1: {
        JsonObject m = new JsonObject().put("type", "message").put("id", fuzz.name(fuzz.between(1, 20)))
            .put("payload", fuzz.json(3) instanceof JsonObject o ? o : new JsonObject().put("v", fuzz.json(2)));
        return text(fuzz, "message", m.encode());
      }
      case 2: {
        JsonObject o = new JsonObject();
        if (fuzz.chance(0.8)) {
          o.put("type", fuzz.chance(0.5) ? fuzz.pick(List.of("heartbeat", "message", "welcome", "approved",
              "HEARTBEAT", "heartbeat_ack", "")) : fuzz.json(1));
        }
        if (fuzz.chance(0.5)) {
          o.put("id", fuzz.json(1));
        }
        if (fuzz.chance(0.5)) {
          o.put("payload", fuzz.json(2));
        }
        for (int i = fuzz.between(0, 3); i > 0; i--) {
          o.put(fuzz.string(), fuzz.json(2));
        }
        return text(fuzz, "random-object", o.encode());
      }
      case 3:
        return text(fuzz, "random-json", String.valueOf(io.vertx.core.json.Json.encode(fuzz.json(3))));
      case 4:
        return text(fuzz, "random-text", fuzz.chance(0.5) ? fuzz.unicode(fuzz.between(0, 200)) : fuzz.string());
      case 5:
        return bytes(fuzz, "random-bytes", fuzz.bytes(fuzz.between(1, 300)));
      case 6: {
        // Around the 64 KiB limit: a heartbeat padded to just under or just over it, or far over the frame limit.
        int size = fuzz.pick(List.of(MAX - 100, MAX + 1, MAX + fuzz.between(1, 60_000), 200 * 1024));
        String pad = "p".repeat(Math.max(0, size - 30));
        return text(fuzz, "huge-" + size, new JsonObject().put("type", "heartbeat").put("pad", pad).encode());
      }
      case 7:
        return text(fuzz, "nested", "{\"type\":\"heartbeat\",\"x\":" + fuzz.nested(fuzz.between(10, 3000)) + "}");
      case 8:
        return new Message("binary", List.of(WebSocketFrame.binaryFrame(Buffer.buffer(fuzz.bytes(fuzz.between(0, 50))),
            true)), Expect.POLICY);
      default: {
        // A heartbeat whose pad holds random bytes: valid UTF-8 or not.
        byte[] head = "{\"type\":\"heartbeat\",\"pad\":\"".getBytes(StandardCharsets.UTF_8);
        byte[] middle = fuzz.bytes(fuzz.between(1, 20));
        for (int i = 0; i < middle.length; i++) {
          if (middle[i] == '"' || middle[i] == '\\' || (middle[i] >= 0 && middle[i] < 0x20)) {
            middle[i] = 'x';
          }
        }
        byte[] tail = "\"}".getBytes(StandardCharsets.UTF_8);
        Buffer all = Buffer.buffer().appendBytes(head).appendBytes(middle).appendBytes(tail);
        return bytes(fuzz, "utf8-pad", all.getBytes());
      }
    }
  }

  private static Message text(Fuzz fuzz, String kind, String text) {
    return bytes(fuzz, kind, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends the bytes as one text message, in one frame or in random fragments (some of them empty). */
  private static Message bytes(Fuzz fuzz, String kind, byte[] data) {
    List<WebSocketFrame> frames = new ArrayList<>();
    if (data.length > 100 * 1024 || fuzz.chance(0.5)) {
      frames.add(rawText(data, true));
    } else if (fuzz.chance(0.2)) {
      // An empty first fragment, then everything: Vert.x's own aggregation used to lose such a message.
      frames.add(WebSocketFrame.textFrame("", false));
      frames.add(WebSocketFrame.continuationFrame(Buffer.buffer(data), true));
    } else {
      int pieces = fuzz.between(2, 6);
      int at = 0;
      for (int i = 0; i < pieces; i++) {
        int end = i == pieces - 1 ? data.length : Math.min(data.length, at + fuzz.between(0, data.length / pieces + 1));
        Buffer part = Buffer.buffer(java.util.Arrays.copyOfRange(data, at, end));
        frames.add(i == 0 ? rawText(part.getBytes(), false) : WebSocketFrame.continuationFrame(part, i == pieces - 1));
        at = end;
      }
    }
    return new Message(kind + "/" + frames.size() + "-frames", frames, expect(data));
  }

  /** A text frame carrying raw bytes, valid UTF-8 or not (the public factory takes a String). */
  private static WebSocketFrame rawText(byte[] data, boolean isFinal) {
    return new WebSocketFrameImpl(WebSocketFrameType.TEXT, data, isFinal);
  }

  /** The contract's answer to a text message with these bytes. */
  private static Expect expect(byte[] data) {
    if (data.length > MAX) {
      return Expect.TOO_BIG;
    }
    if (!isUtf8(data)) {
      return Expect.POLICY;
    }
    JsonObject frame;
    try {
      frame = new JsonObject(new String(data, StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return Expect.POLICY;
    }
    Object type = frame.getValue("type");
    if ("heartbeat".equals(type)) {
      return Expect.ACK;
    }
    if ("message".equals(type) && frame.getValue("id") instanceof String id && !id.isEmpty()
        && frame.getValue("payload") instanceof JsonObject) {
      return Expect.SILENT;
    }
    return Expect.POLICY;
  }

  private static boolean isUtf8(byte[] data) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
