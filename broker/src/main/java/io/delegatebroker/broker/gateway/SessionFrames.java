package io.delegatebroker.broker.gateway;

import io.delegatebroker.broker.limits.BrokerLimits;
import io.delegatebroker.broker.session.CloseReason;
import io.delegatebroker.broker.session.DelegateSession;
import io.delegatebroker.broker.session.SessionIndex;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * The delegate-to-broker half of the frame protocol: heartbeats, delegate messages, control frames, and the policy on
 * what a frame may be. Anything not in the contract closes the session with 1008; messages over 64 KiB with 1009;
 * more than {@code maxFramesPerSecond} frames in one second with 1008. Pings and pongs prove liveness (Vert.x itself
 * answers each ping with a pong); close frames are the gateway's. Once a session is closed, by the broker or by the
 * delegate, nothing more it sends is acted on: Vert.x still hands over frames until the closing handshake ends.
 */
public final class SessionFrames {

  /** Event-bus address on which delegates' own {@code message} frames are published (headers: account, delegate, instance). */
  public static final String DELEGATE_MESSAGES_ADDRESS = "broker.delegate.messages";
  public static final int MAX_FRAME_BYTES = BrokerLimits.MAX_MESSAGE_BYTES;

  private static final String HEARTBEAT_ACK = new JsonObject().put("type", "heartbeat_ack").encode();

  private final SessionIndex index;
  private final EventBus eventBus;
  private final int maxFramesPerSecond;

  public SessionFrames(SessionIndex index, EventBus eventBus, int maxFramesPerSecond) {
    this.index = index;
    this.eventBus = eventBus;
    this.maxFramesPerSecond = maxFramesPerSecond;
  }

  /**
   * Handles one frame of the session other than a close: every frame, pings and pongs included, counts towards the
   * rate; data frames (text, binary, continuation) are assembled and complete messages go to {@link #onMessage}.
   */
  public void onFrame(DelegateSession session, WebSocketFrame frame, FrameState state) {
    if (session.closed()) {
      return;
    }
    session.seen();
    if (!state.allow(maxFramesPerSecond)) {
      index.evict(session, CloseReason.POLICY_VIOLATION);
      return;
    }
    if (frame.type() == WebSocketFrameType.PING || frame.type() == WebSocketFrameType.PONG) {
      return;
    }
    switch (state.assembler.accept(frame)) {
      case MESSAGE -> onMessage(session, state.assembler.message());
      case NEED_MORE -> { }
      case TOO_BIG -> index.evict(session, CloseReason.MESSAGE_TOO_BIG);
      case MALFORMED -> index.evict(session, CloseReason.POLICY_VIOLATION);
    }
  }

  private void onMessage(DelegateSession session, String text) {
    if (text.length() > MAX_FRAME_BYTES / 4 && text.getBytes(StandardCharsets.UTF_8).length > MAX_FRAME_BYTES) {
      index.evict(session, CloseReason.MESSAGE_TOO_BIG);
      return;
    }
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      index.evict(session, CloseReason.POLICY_VIOLATION);
      return;
    }
    Object type = frame.getValue("type");
    if ("heartbeat".equals(type)) {
      session.heartbeat();
      session.sendRaw(HEARTBEAT_ACK);
    } else if ("message".equals(type) && frame.getValue("id") instanceof String id && !id.isEmpty()
        && frame.getValue("payload") instanceof JsonObject payload) {
      publish(session, id, payload);
    } else {
      index.evict(session, CloseReason.POLICY_VIOLATION);
    }
  }

  private void publish(DelegateSession session, String id, JsonObject payload) {
    if (session.pending()) {
      // A delegate waiting for approval is not trusted with the node's consumers yet; its messages are dropped.
      return;
    }
    DeliveryOptions options = new DeliveryOptions()
        .addHeader("account", session.accountId())
        .addHeader("delegate", session.delegateId())
        .addHeader("delegateName", session.delegateName())
        .addHeader("instance", session.instance());
    eventBus.publish(DELEGATE_MESSAGES_ADDRESS, new JsonObject().put("id", id).put("payload", payload), options);
  }

  /**
   * What a session's frames need between frames: the one-second window of inbound frames and the message being
   * assembled. The window is kept here rather than in an object of its own, and the gateway's per-connection handler
   * extends this class, because a node holds one of each per session. Confined to the session's event loop.
   */
  public static class FrameState {
    final FrameAssembler assembler = new FrameAssembler(MAX_FRAME_BYTES);
    private long windowStart;
    private int count;

    /** Counts a frame in the current one-second window. @return false when the window already had {@code max} */
    boolean allow(int max) {
      long now = System.nanoTime();
      if (now - windowStart > 1_000_000_000L) {
        windowStart = now;
        count = 0;
      }
      return ++count <= max;
    }
  }
}
