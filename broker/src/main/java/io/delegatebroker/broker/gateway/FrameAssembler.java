package io.delegatebroker.broker.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns one session's data frames into complete text messages, with the limits applied as the frames arrive: a
 * message over {@code maxBytes} is refused at the frame that crosses it (nothing more is buffered), a binary frame or
 * a continuation with nothing to continue is malformed, and the text must be valid UTF-8 (a replacement character
 * would otherwise slip through inside a JSON string). Vert.x's own aggregation is not used: it loses a message whose
 * first fragment is empty and then drops every later message of the connection. Confined to the session's event
 * loop.
 */
final class FrameAssembler {

  /** What a frame completed. */
  enum Outcome { MESSAGE, NEED_MORE, TOO_BIG, MALFORMED }

  private final int maxBytes;
  private Buffer partial;
  private String message;

  FrameAssembler(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Takes one data frame; on {@link Outcome#MESSAGE} the text is in {@link #message()}. */
  Outcome accept(WebSocketFrame frame) {
    message = null;
    if (frame.isBinary()) {
      return fail(Outcome.MALFORMED);
    }
    Buffer data = frame.binaryData();
    if (frame.isText()) {
      if (partial != null) {
        return fail(Outcome.MALFORMED);
      }
      if (frame.isFinal()) {
        return complete(data);
      }
      partial = Buffer.buffer();
    } else if (!frame.isContinuation() || partial == null) {
      return fail(Outcome.MALFORMED);
    }
    if (partial.length() + data.length() > maxBytes) {
      return fail(Outcome.TOO_BIG);
    }
    partial.appendBuffer(data);
    if (!frame.isFinal()) {
      return Outcome.NEED_MORE;
    }
    Buffer whole = partial;
    partial = null;
    return complete(whole);
  }

  /** The message completed by the last frame. */
  String message() {
    return message;
  }

  private Outcome complete(Buffer data) {
    if (data.length() > maxBytes) {
      return fail(Outcome.TOO_BIG);
    }
    try {
      message = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(data.getBytes()))
          .toString();
      return Outcome.MESSAGE;
    } catch (CharacterCodingException e) {
      return fail(Outcome.MALFORMED);
    }
  }

  private Outcome fail(Outcome outcome) {
    partial = null;
    return outcome;
  }
}
