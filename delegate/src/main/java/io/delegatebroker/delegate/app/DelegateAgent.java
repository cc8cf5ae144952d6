package io.delegatebroker.delegate.app;

import io.delegatebroker.delegate.config.DelegateConfig;
import io.delegatebroker.delegate.handler.MessageHandler;
import io.delegatebroker.delegate.policy.Backoff;
import io.delegatebroker.delegate.policy.CloseCodePolicy;
import io.delegatebroker.delegate.policy.Decision;
import io.delegatebroker.delegate.policy.ExitCode;
import io.delegatebroker.delegate.policy.HandshakeRefusalPolicy;
import io.delegatebroker.delegate.session.DelegateSession;
import io.delegatebroker.delegate.session.Outcome;
import io.delegatebroker.delegate.session.SessionListener;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delegate's life: connect, hold the session, and after each end apply the close-code or handshake-refusal rule
 * (reconnect at the rule's pace, or stop with the rule's exit code). Everything runs on one Vert.x context, so the
 * state here needs no locks.
 */
public final class DelegateAgent implements SessionListener {

  private static final Logger LOG = LoggerFactory.getLogger("delegate");
  /** A session that lasted this long was healthy: the next failure backs off from the first step again. */
  static final Duration STABLE_SESSION = Duration.ofSeconds(10);

  private final Vertx vertx;
  private final Context context;
  private final WebSocketClient client;
  private final DelegateConfig config;
  private final MessageHandler handler;
  private final Backoff backoff;
  private final StartupScript startupScript;
  private final Promise<ExitCode> exit = Promise.promise();
  private DelegateSession session;
  private long retryTimer = -1;
  private boolean stopping;
  private String pendingScript;

  public DelegateAgent(Vertx vertx, WebSocketClient client, DelegateConfig config, MessageHandler handler) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.client = client;
    this.config = config;
    this.handler = handler;
    this.backoff = new Backoff(config.reconnectBase(), config.reconnectMax());
    this.startupScript = new StartupScript(vertx, config.runStartupScript());
  }

  /** Starts connecting; the future completes with the exit code once the delegate must stop. */
  public Future<ExitCode> run() {
    context.runOnContext(v -> attempt());
    return exit.future();
  }

  /** Closes the session normally and completes {@link #run()} with {@link ExitCode#STOPPED}. */
  public void stop() {
    context.runOnContext(v -> {
      stopping = true;
      vertx.cancelTimer(retryTimer);
      if (session == null) {
        exit.tryComplete(ExitCode.STOPPED);
      } else {
        session.stop();
      }
    });
  }

  private void attempt() {
    if (stopping) {
      exit.tryComplete(ExitCode.STOPPED);
      return;
    }
    session = DelegateSession.open(vertx, client, config, this);
    session.outcome().onSuccess(this::after);
  }

  private void after(Outcome outcome) {
    session = null;
    Decision decision = decide(outcome);
    if (stopping && decision instanceof Decision.Reconnect) {
      decision = new Decision.Exit(ExitCode.STOPPED, "stopping instead of reconnecting");
    }
    if (decision instanceof Decision.Exit e) {
      if (e.code() == ExitCode.STOPPED) {
        LOG.info(e.line());
      } else {
        LOG.error("{} (exit {})", e.line(), e.code().status());
      }
      exit.tryComplete(e.code());
    } else if (decision instanceof Decision.Reconnect r) {
      Duration delay = backoff.next(r);
      LOG.warn("{} (next attempt in {} ms)", r.line(), delay.toMillis());
      retryTimer = vertx.setTimer(Math.max(1, delay.toMillis()), id -> attempt());
    }
  }

  /** The rule for how the attempt or session ended. */
  private Decision decide(Outcome outcome) {
    if (outcome instanceof Outcome.Refused r) {
      return HandshakeRefusalPolicy.decide(r.status(), r.retryAfter(), r.message(), config.accountId());
    }
    if (outcome instanceof Outcome.Unreachable u) {
      return new Decision.Reconnect(Decision.Pace.BACKOFF,
          "cannot reach the manager at " + config.manager() + ": " + u.cause() + ": reconnecting with backoff");
    }
    if (outcome instanceof Outcome.Closed c) {
      if (c.lasted().compareTo(STABLE_SESSION) >= 0) {
        backoff.reset();
      }
      return CloseCodePolicy.of(c.code()).decide(c.code(), c.reason());
    }
    return new Decision.Exit(ExitCode.STOPPED, "session closed: the delegate is stopping");
  }

  @Override
  public void welcome(JsonObject welcome) {
    boolean pending = "PENDING_APPROVAL".equals(welcome.getString("status"));
    LOG.info("connected to node {} as delegate {} instance {} ({}), heartbeat every {} s", welcome.getString("node"),
        welcome.getString("delegateId"), welcome.getString("instance"), welcome.getString("status"),
        welcome.getInteger("heartbeatSeconds"));
    if (pending) {
      LOG.info("waiting for approval: an operator must approve delegate {} (id {}) of account {}; staying connected",
          config.name(), welcome.getString("delegateId"), config.accountId());
    }
    pendingScript = welcome.getString("startupScript");
    startupScript.offer(pendingScript, !pending);
  }

  @Override
  public void approved() {
    LOG.info("approved by an operator: the delegate is active");
    startupScript.offer(pendingScript, true);
  }

  @Override
  public void message(String id, JsonObject payload) {
    try {
      handler.handle(id, payload);
    } catch (RuntimeException e) {
      LOG.warn("message {}: the handler failed: {}", id, e.toString());
    }
  }
}
