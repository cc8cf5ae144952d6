package io.delegatebroker.broker.session;

import io.delegatebroker.api.vocabulary.DelegateStatus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * One live WebSocket of one delegate instance. Kept small on purpose: a node holds tens of thousands.
 * Closing is idempotent; the first reason wins. The welcome is always the first frame: an approval that comes
 * before it is folded into the welcome's status instead of being sent ahead of it.
 */
public final class DelegateSession {

  private static final AtomicReferenceFieldUpdater<DelegateSession, Object> CLOSE =
      AtomicReferenceFieldUpdater.newUpdater(DelegateSession.class, Object.class, "closed");
  /** The closed state of a session the delegate ended (close frame or lost connection) rather than the broker. */
  private static final Object BY_DELEGATE = new Object();
  private static final Buffer PING = Buffer.buffer();

  private final String accountId;
  private final String delegateId;
  private final String delegateName;
  private final String instance;
  private final String tokenId;
  /** The token's name, for the operator's log line when the token's sessions are closed; shared, not a copy. */
  private final String tokenName;
  private final long connectedAtMillis;
  private final ServerWebSocket socket;
  private final Context context;
  private volatile boolean pending;
  private boolean welcomed; // guarded by this
  private volatile long lastHeartbeatMillis;
  private volatile long lastSeenNanos;
  private volatile long lastPingNanos;
  /** Null while open; then the broker's {@link CloseReason}, or {@link #BY_DELEGATE}. */
  private volatile Object closed;
  private volatile long connectStamp;

  public DelegateSession(String accountId, String delegateId, String delegateName, String instance, String tokenId,
      String tokenName, boolean pending, ServerWebSocket socket) {
    this.accountId = accountId;
    this.delegateId = delegateId;
    this.delegateName = delegateName;
    this.instance = instance;
    this.tokenId = tokenId;
    this.tokenName = tokenName;
    this.pending = pending;
    this.socket = socket;
    this.context = Vertx.currentContext();
    this.connectedAtMillis = System.currentTimeMillis();
    this.lastHeartbeatMillis = connectedAtMillis;
    this.lastSeenNanos = System.nanoTime();
    this.lastPingNanos = lastSeenNanos;
  }

  public String accountId() {
    return accountId;
  }

  public String delegateId() {
    return delegateId;
  }

  public String delegateName() {
    return delegateName;
  }

  public String instance() {
    return instance;
  }

  public String tokenId() {
    return tokenId;
  }

  public String tokenName() {
    return tokenName;
  }

  public long connectedAtMillis() {
    return connectedAtMillis;
  }

  public long lastHeartbeatMillis() {
    return lastHeartbeatMillis;
  }

  public long lastSeenNanos() {
    return lastSeenNanos;
  }

  /** The session's place in the cluster-wide order of connects ({@link ConnectClock}); set when it is indexed. */
  public long connectStamp() {
    return connectStamp;
  }

  void connectStamp(long stamp) {
    this.connectStamp = stamp;
  }

  public boolean pending() {
    return pending;
  }

  /** The key that makes a second connection of the same instance replace the first, as sent to other nodes. */
  public String instanceKey() {
    return InstanceKey.of(this).wire();
  }

  /** Any inbound frame, ping or pong proves liveness. */
  public void seen() {
    lastSeenNanos = System.nanoTime();
  }

  public long lastPingNanos() {
    return lastPingNanos;
  }

  /**
   * Pings the delegate unless the session is closed, so that a client library's automatic pong keeps a quiet
   * session alive. Call on the session's event loop.
   */
  public void ping() {
    lastPingNanos = System.nanoTime();
    if (!closed()) {
      socket.writePing(PING);
    }
  }

  public void heartbeat() {
    lastHeartbeatMillis = System.currentTimeMillis();
    lastSeenNanos = System.nanoTime();
  }

  /**
   * Marks the session approved and tells the delegate, unless it has not been welcomed yet: then the welcome will
   * say ACTIVE. @return false when it was not pending
   */
  public synchronized boolean approve() {
    if (!pending) {
      return false;
    }
    pending = false;
    if (welcomed) {
      send(new JsonObject().put("type", "approved"));
    }
    return true;
  }

  /**
   * Sends the welcome frame with the session's status at this moment ({@code ACTIVE} or {@code PENDING_APPROVAL}).
   * Synchronized with {@link #approve} so that {@code approved} can only follow the welcome, never overtake it.
   */
  public synchronized Future<Void> welcome(JsonObject frame) {
    welcomed = true;
    return send(frame.put("status", (pending ? DelegateStatus.PENDING_APPROVAL : DelegateStatus.ACTIVE).name()));
  }

  public boolean closed() {
    return closed != null;
  }

  /** Why the broker closed the session; null while open or when the delegate ended it. */
  public CloseReason closeReason() {
    return closed instanceof CloseReason r ? r : null;
  }

  /**
   * Marks the session ended by the delegate (its close frame, or its connection went away); nothing it sends after
   * is acted on. @return true for the first close
   */
  public boolean markClosedByDelegate() {
    return CLOSE.compareAndSet(this, null, BY_DELEGATE);
  }

  /** Sends a JSON frame unless the session is closed. */
  public Future<Void> send(JsonObject frame) {
    if (closed()) {
      return Future.failedFuture("session closed");
    }
    return socket.writeTextMessage(frame.encode());
  }

  /** Sends an already encoded text frame unless the session is closed. */
  public void sendRaw(String text) {
    if (!closed()) {
      socket.writeTextMessage(text);
    }
  }

  /** Closes with the reason's code and text. @return true when this call closed it */
  public boolean close(CloseReason reason) {
    if (!markClosed(reason)) {
      return false;
    }
    closeSocket();
    return true;
  }

  /** Marks the session closed with the reason without touching the socket yet. @return true for the first close */
  public boolean markClosed(CloseReason reason) {
    return CLOSE.compareAndSet(this, null, reason);
  }

  /** Sends the close frame of the reason the session was marked with. */
  public void closeSocket() {
    CloseReason reason = closeReason();
    if (reason != null) {
      socket.close(reason.code(), reason.text());
    }
  }

  /** The event loop this session's connection runs on, for closing many sessions in one task per loop. */
  public Context context() {
    return context;
  }
}
