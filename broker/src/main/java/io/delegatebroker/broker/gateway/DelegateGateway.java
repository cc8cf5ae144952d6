package io.delegatebroker.broker.gateway;

import io.delegatebroker.api.error.BrokerException;
import io.delegatebroker.api.routes.ErrorResponses;
import io.delegatebroker.broker.domain.ConnectRefused;
import io.delegatebroker.broker.domain.delegate.ConnectAdmission;
import io.delegatebroker.broker.domain.delegate.ConnectAdmission.Admission;
import io.delegatebroker.broker.domain.token.ExpiryWatcher;
import io.delegatebroker.broker.domain.token.LastUsedRecorder;
import io.delegatebroker.broker.domain.Times;
import io.delegatebroker.broker.metrics.BrokerMetrics;
import io.delegatebroker.broker.metrics.BrokerMetrics.DelegateClose;
import io.delegatebroker.broker.net.ClientAddresses;
import io.delegatebroker.broker.net.RefusalLog;
import io.delegatebroker.broker.session.CloseReason;
import io.delegatebroker.broker.session.DelegateSession;
import io.delegatebroker.broker.session.SessionIndex;
import io.delegatebroker.broker.vocabulary.RefusalReason;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delegate endpoint {@code GET /v1/delegates/connect}: validates the headers and admits the connection
 * <em>before</em> upgrading, so every refusal is a plain HTTP answer with the contract's JSON error; then upgrades,
 * indexes the session and sends {@code welcome}. A client that goes away while it is being admitted never gets a
 * session: the session exists only once the upgrade succeeded.
 */
public final class DelegateGateway implements Handler<HttpServerRequest> {

  public static final String PATH = "/v1/delegates/connect";
  private static final Logger LOG = LoggerFactory.getLogger(DelegateGateway.class);

  private final String nodeId;
  private final int heartbeatSeconds;
  private final ConnectAdmission admission;
  private final SessionIndex index;
  private final SessionFrames frames;
  private final ExpiryWatcher expiry;
  private final LastUsedRecorder lastUsed;
  private final HandshakeThrottle throttle;
  private final ClientAddresses clients;
  private final RefusalLog refusals;
  private final BrokerMetrics metrics;
  private final BooleanSupplier accepting;

  public DelegateGateway(String nodeId, int heartbeatSeconds, ConnectAdmission admission, SessionIndex index,
      SessionFrames frames, ExpiryWatcher expiry, LastUsedRecorder lastUsed, HandshakeThrottle throttle,
      ClientAddresses clients, RefusalLog refusals, BrokerMetrics metrics, BooleanSupplier accepting) {
    this.nodeId = nodeId;
    this.heartbeatSeconds = heartbeatSeconds;
    this.admission = admission;
    this.index = index;
    this.frames = frames;
    this.expiry = expiry;
    this.lastUsed = lastUsed;
    this.throttle = throttle;
    this.clients = clients;
    this.refusals = refusals;
    this.metrics = metrics;
    this.accepting = accepting;
  }

  @Override
  public void handle(HttpServerRequest req) {
    if (!PATH.equals(req.path())) {
      ErrorResponses.send(req.response(), BrokerException.notFound("No such resource."));
      return;
    }
    String address = clients.of(req);
    if (!accepting.getAsBoolean()) {
      refuse(req, null, address, new ConnectRefused(RefusalReason.DRAINING, "The node is not accepting delegates."));
      return;
    }
    if (!req.canUpgradeToWebSocket()) {
      refuseMalformed(req, address,
          BrokerException.badRequest("This endpoint needs a WebSocket upgrade (GET with Upgrade: websocket)."));
      return;
    }
    HandshakeRequest hs;
    try {
      hs = HandshakeRequest.parse(req.headers());
    } catch (BrokerException e) {
      refuseMalformed(req, address, e);
      return;
    }
    int retryAfter = throttle.retryAfter(address, hs);
    if (retryAfter > 0) {
      refuse(req, hs, address, rateLimited(retryAfter));
      return;
    }
    // Hold the request unread while admission runs: the upgrade needs it not yet ended.
    req.pause();
    admission.admit(hs.accountId(), hs.token(), hs.delegateName(), hs.type(), hs.profile())
        .onSuccess(adm -> upgrade(req, hs, adm))
        .onFailure(t -> refuse(req, hs, address, BrokerException.from(t)));
  }

  /**
   * A request the HTTP decoder refused (headers over 16 KiB, request line too long, not HTTP): refused like a
   * malformed handshake (counted, logged, and a failure of its address), then the connection is closed.
   */
  public void invalid(HttpServerRequest req) {
    String address = clients.of(req);
    BrokerException e = ErrorResponses.invalidRequest(req);
    record(req, null, address, e);
    ErrorResponses.sendInvalid(req, e);
  }

  /** A request that is not a handshake: 400, or 429 while its address is limited. */
  private void refuseMalformed(HttpServerRequest req, String address, BrokerException e) {
    int retryAfter = throttle.retryAfter(address);
    if (retryAfter > 0) {
      refuse(req, null, address, rateLimited(retryAfter));
    } else {
      refuse(req, null, address, e);
    }
  }

  private static ConnectRefused rateLimited(int retryAfter) {
    return new ConnectRefused(RefusalReason.RATE_LIMITED, "Too many failed attempts from this address.", retryAfter);
  }

  /**
   * Why a handshake was refused, by the failure's type: the reason a {@link ConnectRefused} carries, else (a request
   * the broker cannot read, a store failure during admission) its error code's.
   */
  private static RefusalReason reasonOf(BrokerException e) {
    return e instanceof ConnectRefused r ? r.reason() : RefusalReason.of(e.code());
  }

  private void refuse(HttpServerRequest req, HandshakeRequest hs, String address, BrokerException e) {
    record(req, hs, address, e);
    ErrorResponses.send(req.response(), e);
  }

  /** Counts, logs (sampled per address, see {@link RefusalLog}) and charges a refusal to its address or token. */
  private void record(HttpServerRequest req, HandshakeRequest hs, String address, BrokerException e) {
    RefusalReason reason = reasonOf(e);
    metrics.connectRefused(reason);
    refusals.refused(address, reason.asTag(), () -> "connect refused: "
        + (hs == null ? HandshakeRequest.describe(req.headers()) : hs) + " node=" + nodeId + " from=" + address
        + " reason=" + reason.asTag() + " status=" + e.code().status());
    throttle.failed(address, hs, reason);
  }

  private void upgrade(HttpServerRequest req, HandshakeRequest hs, Admission adm) {
    Future<ServerWebSocket> upgraded;
    try {
      upgraded = req.toWebSocket();
    } catch (RuntimeException e) {
      // Never leave the client without an answer; it may simply retry.
      LOG.warn("connect not upgraded: {} node={} error={}", hs, nodeId, e.getClass().getSimpleName() + ": " + e.getMessage());
      ErrorResponses.send(req.response(), BrokerException.unavailable("The connection could not be upgraded, try again."));
      return;
    }
    upgraded.onSuccess(ws -> open(ws, hs, adm)).onFailure(t ->
        LOG.info("connect abandoned: {} node={} reason=client_gone", hs, nodeId));
  }

  /**
   * The close of a session whose connection failed, by the failure's type. A frame over the limit never reaches
   * {@link SessionFrames}: Netty refuses it with a {@link CorruptedWebSocketFrameException} whose close status says
   * 1009, and {@link BoundedDeflate} stops one that inflates past it; both are "over 64 KiB" and close with 1009 like
   * the messages {@link SessionFrames} refuses itself. Any other protocol error is a policy violation. (Vert.x's own
   * message aggregator, which has no typed failure, is never on: the broker only sets a frame handler and assembles
   * fragmented messages itself.)
   */
  static CloseReason closeReasonOf(Throwable t) {
    boolean tooBig = t instanceof CorruptedWebSocketFrameException c && c.closeStatus() != null
        && c.closeStatus().code() == CloseReason.MESSAGE_TOO_BIG.code();
    return tooBig || BoundedDeflate.overLimit(t) ? CloseReason.MESSAGE_TOO_BIG : CloseReason.POLICY_VIOLATION;
  }

  /**
   * The delegate ended its session (close frame or lost connection): forgotten, counted and logged once, unless the
   * broker had closed it first. Vert.x answers the close frame itself.
   */
  private void closedByDelegate(DelegateSession session, DelegateClose how, Short code) {
    if (!session.markClosedByDelegate()) {
      return;
    }
    index.remove(session);
    metrics.sessionClosedByDelegate(how);
    LOG.info("session closed by delegate: account={} delegate={} instance={} node={} how={} code={} delegateId={}",
        session.accountId(), session.delegateName(), session.instance(), nodeId, how.asTag(),
        how == DelegateClose.CLOSE_FRAME ? code : "-", session.delegateId());
  }

  private void open(ServerWebSocket ws, HandshakeRequest hs, Admission adm) {
    DelegateSession session = new DelegateSession(hs.accountId(), adm.delegate().id(), hs.delegateName(), hs.instance(),
        adm.token().id(), adm.token().name(), adm.delegate().pending(), ws);
    SessionHandler handler = new SessionHandler(session, ws);
    ws.closeHandler(v -> handler.closed());
    // Every frame, control frames included (Vert.x 5 hands them over too, after answering a ping with a pong itself):
    // the broker assembles messages itself.
    ws.frameHandler(handler);
    ws.exceptionHandler(handler::failed);
    if (!index.add(session)) {
      return;
    }
    metrics.connectAccepted();
    lastUsed.used(adm.token().id(), Times.now());
    expiry.watch(adm.token());
    JsonObject welcome = new JsonObject()
        .put("type", "welcome")
        .put("delegateId", adm.delegate().id())
        .put("instance", hs.instance())
        .put("status", adm.delegate().status())
        .put("node", nodeId)
        .put("heartbeatSeconds", heartbeatSeconds);
    if (adm.profile().startupScript() != null) {
      welcome.put("startupScript", adm.profile().startupScript());
    }
    // The status is the session's own: it may have been approved since admission read the registration.
    session.welcome(welcome);
  }

  /**
   * What one connection's WebSocket events do: its frames, its close and its errors. One object per session holding
   * the frame state too, instead of one closure per event and a state object beside them: a node holds tens of
   * thousands.
   */
  private final class SessionHandler extends SessionFrames.FrameState implements Handler<WebSocketFrame> {
    private final DelegateSession session;
    private final ServerWebSocket ws;

    SessionHandler(DelegateSession session, ServerWebSocket ws) {
      this.session = session;
      this.ws = ws;
    }

    @Override
    public void handle(WebSocketFrame frame) {
      if (frame.isClose()) {
        closedByDelegate(session, DelegateClose.CLOSE_FRAME, frame.closeStatusCode());
      } else {
        frames.onFrame(session, frame, this);
      }
    }

    void closed() {
      // Vert.x records the code of a close frame received; 1006 means the connection went without one.
      Short code = ws.closeStatusCode();
      closedByDelegate(session, code != null && code != 1006 ? DelegateClose.CLOSE_FRAME : DelegateClose.CONNECTION_LOST,
          code);
      index.remove(session);
    }

    void failed(Throwable t) {
      // A connection dropped after the broker closed the session is expected, not worth a line; one dropped by the
      // delegate is its close (the close handler follows), not a violation.
      if (!session.closed() && !(t instanceof HttpClosedException)) {
        LOG.info("session error: account={} delegate={} instance={} node={} error={}", session.accountId(),
            session.delegateName(), session.instance(), nodeId, t.getClass().getSimpleName());
        index.evict(session, closeReasonOf(t));
      }
    }
  }
}
