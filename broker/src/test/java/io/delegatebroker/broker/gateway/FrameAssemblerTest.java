package io.delegatebroker.broker.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.delegatebroker.broker.gateway.FrameAssembler.Outcome;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import org.junit.jupiter.api.Test;

/** Verifies how a session's frames become messages, and where the limits cut in, without sockets. */
class FrameAssemblerTest {

  private final FrameAssembler assembler = new FrameAssembler(10);

  private static WebSocketFrame text(String s, boolean fin) {
    return WebSocketFrame.textFrame(s, fin);
  }

  private static WebSocketFrame more(String s, boolean fin) {
    return WebSocketFrame.continuationFrame(Buffer.buffer(s), fin);
  }

  @Test
  void aWholeFrameIsAMessage() {
    assertEquals(Outcome.MESSAGE, assembler.accept(text("{}", true)));
    assertEquals("{}", assembler.message());
  }

  @Test
  void fragmentsAreJoinedEvenBehindAnEmptyFirstOne() {
    assertEquals(Outcome.NEED_MORE, assembler.accept(text("", false)));
    assertEquals(Outcome.NEED_MORE, assembler.accept(more("{\"a\"", false)));
    assertEquals(Outcome.MESSAGE, assembler.accept(more(":1}", true)));
    assertEquals("{\"a\":1}", assembler.message());
    // and the next message starts clean
    assertEquals(Outcome.MESSAGE, assembler.accept(text("x", true)));
    assertEquals("x", assembler.message());
  }

  @Test
  void theLimitCutsInAtTheFrameThatCrossesIt() {
    assertEquals(Outcome.TOO_BIG, assembler.accept(text("12345678901", true)));
    assertEquals(Outcome.NEED_MORE, assembler.accept(text("123456", false)));
    assertEquals(Outcome.TOO_BIG, assembler.accept(more("78901", false)));
    assertEquals(Outcome.MESSAGE, assembler.accept(text("1234567890", true)), "exactly the limit is fine");
  }

  @Test
  void binaryInvalidUtf8AndOrphanContinuationsAreMalformed() {
    assertEquals(Outcome.MALFORMED, assembler.accept(WebSocketFrame.binaryFrame(Buffer.buffer("{}"), true)));
    assertEquals(Outcome.MALFORMED, assembler.accept(new WebSocketFrameImpl(WebSocketFrameType.TEXT,
        new byte[] {'"', (byte) 0xc3, '"'}, true)));
    assertEquals(Outcome.MALFORMED, assembler.accept(more("x", true)));
    assertEquals(Outcome.NEED_MORE, assembler.accept(text("a", false)));
    assertEquals(Outcome.MALFORMED, assembler.accept(text("b", true)), "a new message inside a fragmented one");
  }
}
