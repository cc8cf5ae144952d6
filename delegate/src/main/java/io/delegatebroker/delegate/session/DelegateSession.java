package io.delegatebroker.delegate.session;

import io.delegatebroker.delegate.config.DelegateConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket session with the manager (contract section 2): sends the identity headers, heartbeats at the
 * period the welcome announces, reports frames to a {@link SessionListener}, and completes its future with the
 * {@link Outcome} once the attempt failed or the session ended. A manager silent for 3 heartbeat periods counts as
 * a lost connection, so a half-open TCP connection does not hold the delegate forever.
 */
public final class DelegateSession {

  private static final Logger LOG = LoggerFactory.getLogger("delegate");
  private static final String HEARTBEAT = new JsonObject().put("type", "heartbeat").encode();
  private static final int SILENT_PERIODS = 3;

  private final Vertx vertx;
  private final DelegateConfig config;
  private final SessionListener listener;
  private final Promise<Outcome> outcome = Promise.promise();
  private ClientWebSocket ws;
  private long heartbeatTimer = -1;
  private long openedAt;
  private long lastHeardAt;
  private boolean stopping;
  private boolean silent;

  private DelegateSession(Vertx vertx, DelegateConfig config, SessionListener listener) {
    this.vertx = vertx;
    this.config = config;
    this.listener = listener;
  }

  /** Connects and runs a session; call on the delegate's event loop. */
  public static DelegateSession open(Vertx vertx, WebSocketClient client, DelegateConfig config,
      SessionListener listener) {
    DelegateSession s = new DelegateSession(vertx, config, listener);
    s.connect(client);
    return s;
  }

  /** Completes once the attempt failed or the session ended. */
  public Future<Outcome> outcome() {
    return outcome.future();
  }

  /** Closes the session normally (1000) because the delegate is stopping. */
  public void stop() {
    stopping = true;
    if (ws != null && !ws.isClosed()) {
      ws.close((short) 1000, "delegate_stopping");
    } else {
      outcome.tryComplete(new Outcome.Stopped());
    }
  }

  static WebSocketConnectOptions connectOptions(DelegateConfig c) {
    WebSocketConnectOptions o = new WebSocketConnectOptions()
        .setHost(c.manager().host()).setPort(c.manager().port()).setSsl(c.manager().tls())
        .setURI(c.manager().connectPath())
        .addHeader("Authorization", "Delegate " + c.token())
        .addHeader("X-Account-Id", c.accountId())
        .addHeader("X-Delegate-Name", c.name())
        .addHeader("X-Delegate-Type", c.type())
        .addHeader("X-Delegate-Profile", c.profile());
    if (c.instance() != null) {
      o.addHeader("X-Delegate-Instance", c.instance());
    }
    return o;
  }

  private void connect(WebSocketClient client) {
    // Handlers first: the manager sends welcome at once, and a frame arriving before its handler would be lost.
    ws = client.webSocket();
    ws.textMessageHandler(this::onText);
    ws.pongHandler(pong -> lastHeardAt = System.nanoTime());
    ws.exceptionHandler(t -> LOG.debug("socket error: {}", t.toString()));
    ws.closeHandler(v -> ended());
    ws.connect(connectOptions(config)).onComplete(ok -> {
      openedAt = System.nanoTime();
      lastHeardAt = openedAt;
    }, this::failedToOpen);
  }

  private void onText(String text) {
    lastHeardAt = System.nanoTime();
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (DecodeException e) {
      LOG.warn("ignored a frame that is not JSON ({} characters)", text.length());
      return;
    }
    String type = String.valueOf(frame.getValue("type"));
    switch (type) {
      case "welcome" -> {
        startHeartbeat(frame.getInteger("heartbeatSeconds", 30));
        listener.welcome(frame);
      }
      case "heartbeat_ack" -> {
        // liveness only
      }
      case "approved" -> listener.approved();
      case "message" -> listener.message(frame.getString("id"),
          frame.getValue("payload") instanceof JsonObject p ? p : new JsonObject());
      default -> LOG.warn("ignored a frame of unknown type '{}'", type.length() > 32 ? type.substring(0, 32) : type);
    }
  }

  private void startHeartbeat(int seconds) {
    long periodMillis = Math.max(1, seconds) * 1000L;
    vertx.cancelTimer(heartbeatTimer);
    heartbeatTimer = vertx.setPeriodic(periodMillis, id -> {
      if (System.nanoTime() - lastHeardAt > SILENT_PERIODS * periodMillis * 1_000_000L) {
        silent = true;
        vertx.cancelTimer(heartbeatTimer);
        ws.close((short) 1000, "manager_silent");
        return;
      }
      ws.writeTextMessage(HEARTBEAT);
    });
  }

  private void ended() {
    vertx.cancelTimer(heartbeatTimer);
    Duration lasted = Duration.ofNanos(System.nanoTime() - openedAt);
    if (stopping) {
      outcome.tryComplete(new Outcome.Stopped());
    } else if (silent) {
      outcome.tryComplete(new Outcome.Closed(null, "no answer from the manager for " + SILENT_PERIODS
          + " heartbeat periods", lasted));
    } else {
      outcome.tryComplete(new Outcome.Closed(ws.closeStatusCode() == null ? null : (int) ws.closeStatusCode(),
          ws.closeReason(), lasted));
    }
  }

  private void failedToOpen(Throwable t) {
    if (t instanceof UpgradeRejectedException u) {
      outcome.tryComplete(new Outcome.Refused(u.getStatus(),
          u.getHeaders() == null ? null : u.getHeaders().get("Retry-After"), errorMessage(u)));
    } else {
      outcome.tryComplete(new Outcome.Unreachable(describe(t)));
    }
  }

  /** The contract's {@code error.message}, if the body has one. */
  private static String errorMessage(UpgradeRejectedException u) {
    try {
      JsonObject error = u.getBody() == null ? null : new JsonObject(u.getBody()).getJsonObject("error");
      return error == null ? null : error.getString("message");
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String describe(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SSLException) {
        return "TLS handshake failed (" + c.getMessage() + "); if the manager's certificate is signed by your own"
            + " authority, set DELEGATE_CA_FILE to its PEM file";
      }
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
