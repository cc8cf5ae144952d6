package io.delegatebroker.broker.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.Await;
import io.delegatebroker.broker.testkit.BrokerNodeExtension;
import io.delegatebroker.broker.testkit.RawWebSocket;
import io.delegatebroker.broker.testkit.RawWebSocket.Frame;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Verifies permessage-deflate on a raw socket: it is agreed when offered, the 64 KiB limit applies to the inflated
 * message, and a small frame that would inflate to a huge one is stopped at the limit instead of being inflated.
 */
@Timeout(60)
class CompressionTest {

  private static final Map<String, String> OFFER = Map.of("Sec-WebSocket-Extensions",
      "permessage-deflate; client_max_window_bits");

  @RegisterExtension
  static final BrokerNodeExtension node = BrokerNodeExtension.memory().account("Compression");

  /** Verifies that the extension is agreed, and a compressed message of exactly 64 KiB is delivered whole. */
  @Test
  void compressedMessageUpToTheLimitIsDelivered() throws Exception {
    LinkedBlockingQueue<Message<JsonObject>> published = new LinkedBlockingQueue<>();
    MessageConsumer<JsonObject> consumer = node.node().vertx().eventBus()
        .consumer(SessionFrames.DELEGATE_MESSAGES_ADDRESS, published::add);
    Await.result(consumer.completion());
    try (RawWebSocket ws = RawWebSocket.connect(node.delegatePort(), node.token(), node.accountId(),
        "deflater", "d-1", OFFER)) {
      // GIVEN a session that offered permessage-deflate
      assertTrue(ws.upgradeResponse().toLowerCase().contains("sec-websocket-extensions: permessage-deflate"),
          ws.upgradeResponse());
      assertEquals("welcome", ws.readSkippingPings(5000).json().getString("type"));

      // WHEN it sends a compressed message of exactly 64 KiB
      String text = message("exact", 64 * 1024);
      ws.sendCompressedText(deflate(text.getBytes(StandardCharsets.UTF_8)));

      // THEN it is published whole, and the session goes on
      Message<JsonObject> m = published.poll(10, TimeUnit.SECONDS);
      assertNotNull(m, "not published");
      assertEquals(new JsonObject(text).getJsonObject("payload"), m.body().getJsonObject("payload"));
      ws.text("{\"type\":\"heartbeat\"}");
      assertEquals("heartbeat_ack", ws.readSkippingPings(5000).json().getString("type"));
    } finally {
      consumer.unregister();
    }
  }

  /**
   * Verifies that a 120 KB frame inflating to 120 MiB closes with 1009 at once: the broker stops inflating at the
   * limit (unbounded, that frame held an event loop for 18 s). The 5 s bound is generous, not a benchmark.
   */
  @Test
  void compressionBombClosesAtTheLimit() throws Exception {
    try (RawWebSocket ws = RawWebSocket.connect(node.delegatePort(), node.token(), node.accountId(), "bomber",
        "b-1", OFFER)) {
      assertEquals("welcome", ws.readSkippingPings(5000).json().getString("type"));
      byte[] bomb = deflate(message("bomb", 120 * 1024 * 1024).getBytes(StandardCharsets.UTF_8));
      assertTrue(bomb.length < 128 * 1024, "the bomb is " + bomb.length + " bytes on the wire");

      ws.sendCompressedText(bomb);

      Frame close = ws.readSkippingPings(5000);
      assertEquals(RawWebSocket.CLOSE, close.opcode(), close.toString());
      assertEquals(1009, close.closeCode());
      assertEquals("message_too_big", close.closeReason());
    }
  }

  private static String message(String id, int bytes) {
    String head = "{\"type\":\"message\",\"id\":\"" + id + "\",\"payload\":{\"pad\":\"";
    String tail = "\"}}";
    char[] pad = new char[bytes - head.length() - tail.length()];
    Arrays.fill(pad, 'a');
    return head + new String(pad) + tail;
  }

  /** Raw DEFLATE, sync-flushed, without the 00 00 ff ff tail, as permessage-deflate sends a message. */
  private static byte[] deflate(byte[] data) {
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
    d.setInput(data);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[64 * 1024];
    int n;
    while ((n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0) {
      out.write(buf, 0, n);
      if (n < buf.length && d.needsInput()) {
        break;
      }
    }
    d.end();
    byte[] all = out.toByteArray();
    return Arrays.copyOf(all, all.length - 4);
  }
}
