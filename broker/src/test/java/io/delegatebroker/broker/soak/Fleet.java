package io.delegatebroker.broker.soak;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The soak's delegates: each client is one delegate instance that connects to a node chosen at random (a frozen node
 * included: a real load balancer does not know), heartbeats at the announced period, leaves after a random
 * lifetime and reconnects, and reacts to the broker's closes as the reference delegate would (a new token after
 * 4001, a new name after 4003, another node after 1001). Now and then a client retries with a token it saw revoked,
 * so that the "no handshake with a revoked token" invariant is exercised. Every event is recorded in the ledger.
 */
final class Fleet {

  /**
   * Clients also send a WebSocket ping with each heartbeat, as standard client libraries do (the contract answers it
   * with a pong; a 1008 for it is a violation the checker reports). {@code -Dsoak.pings=false} turns that off.
   */
  static final boolean PINGS = Boolean.parseBoolean(System.getProperty("soak.pings", "true"));

  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
  private final WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions()
      .setMaxConnections(100_000).setConnectTimeout(3000).setClosingTimeout(2));
  private final Ledger ledger;
  private final List<NodeSlot> nodes;
  private final List<String> accounts;
  private final List<Client> clients = new ArrayList<>();
  private volatile boolean stopping;

  Fleet(Ledger ledger, List<NodeSlot> nodes, List<String> accounts, int size, long seed) {
    this.ledger = ledger;
    this.nodes = nodes;
    this.accounts = accounts;
    for (int i = 0; i < size; i++) {
      clients.add(new Client(i, accounts.get(i % accounts.size()), i % 3 == 0, new Random(seed * 1_000_003L + i)));
    }
  }

  void start() {
    stopping = false;
    clients.forEach(c -> vertx.setTimer(1 + c.random.nextInt(2000), id -> c.connect()));
  }

  /** Clients connected right now (a welcome and no end yet). */
  long connected() {
    return clients.stream().filter(c -> c.current != null && c.current.open()).count();
  }

  /** Stops reconnecting and closes every socket; waits (bounded) until each one ended. */
  void stop(long timeoutMillis) {
    stopping = true;
    clients.forEach(Client::leave);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (System.nanoTime() < deadline && clients.stream().anyMatch(Client::busy)) {
      sleepQuietly(50);
    }
  }

  void close() {
    vertx.close().toCompletionStage().toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).exceptionally(t -> null).join();
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One delegate instance. Its fields are touched under its own lock (timers and socket callbacks). */
  private final class Client {
    final int index;
    final String account;
    final boolean gated;
    final Random random;
    final String instance;
    int generation;
    Ledger.Attempt current;
    ClientWebSocket socket;
    boolean connecting;
    long heartbeatTimer = -1;

    Client(int index, String account, boolean gated, Random random) {
      this.index = index;
      this.account = account;
      this.gated = gated;
      this.random = random;
      this.instance = "c" + index;
    }

    String name() {
      return "d" + index + "-" + generation;
    }

    synchronized boolean busy() {
      return connecting || (current != null && current.open());
    }

    synchronized void connect() {
      if (stopping || connecting) {
        return;
      }
      List<NodeSlot> reachable = nodes.stream().filter(n -> n.state() != NodeSlot.State.DOWN).toList();
      // One handshake in eight retries a revoked token, half of them the one revoked last (the racing case).
      List<Ledger.Token> stale = ledger.revokedTokens(account);
      Ledger.Token token = !stale.isEmpty() && random.nextInt(8) == 0
          ? (random.nextBoolean() ? ledger.latestRevoked(account) : Ledger.pick(random, stale))
          : Ledger.pick(random, ledger.usableTokens(account));
      if (reachable.isEmpty() || token == null) {
        later(500 + random.nextInt(1000));
        return;
      }
      NodeSlot node = Ledger.pick(random, reachable);
      WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.delegatePort())
          .setURI("/v1/delegates/connect")
          .addHeader("Authorization", "Delegate " + token.value)
          .addHeader("X-Account-Id", account)
          .addHeader("X-Delegate-Name", name())
          .addHeader("X-Delegate-Instance", instance)
          .addHeader("X-Delegate-Type", "KUBERNETES");
      if (gated) {
        o.addHeader("X-Delegate-Profile", "gated");
      }
      Ledger.Attempt attempt = ledger.attempt(account, name(), instance, token, node);
      ClientWebSocket s = ws.webSocket();
      current = attempt;
      socket = s;
      connecting = true;
      s.textMessageHandler(text -> onFrame(attempt, s, text));
      s.shutdownHandler(v -> onEnd(attempt, s));
      s.closeHandler(v -> onEnd(attempt, s));
      s.connect(o).onComplete(ar -> {
        synchronized (this) {
          connecting = false;
        }
        if (ar.failed()) {
          onRefused(attempt, token, ar.cause());
        } else if (attempt.endAt >= 0 && attempt.welcomeAt < 0) {
          retry(attempt, 300 + random.nextInt(1000)); // upgraded, then dropped before the welcome
        }
      });
    }

    private void onFrame(Ledger.Attempt attempt, ClientWebSocket s, String text) {
      JsonObject f;
      try {
        f = new JsonObject(text);
      } catch (RuntimeException e) {
        ledger.violation("client " + instance + " got a frame that is not JSON: " + text);
        return;
      }
      String type = f.getString("type");
      if ("welcome".equals(type)) {
        ledger.welcomed(attempt, f.getString("delegateId"), f.getString("status"), f.getString("node"), gated);
        if (stopping) {
          s.close();
          return;
        }
        synchronized (this) {
          int period = f.getInteger("heartbeatSeconds", 30) * 1000;
          heartbeatTimer = vertx.setPeriodic(period, id -> {
            if (attempt.open()) {
              s.writeTextMessage("{\"type\":\"heartbeat\"}");
              if (PINGS) {
                s.writePing(Buffer.buffer("soak"));
              }
            }
          });
          long life = 2000 + (long) (-Math.log(1 - random.nextDouble()) * 25_000);
          vertx.setTimer(life, id -> {
            if (attempt.open() && !stopping) {
              ledger.count("client leaves");
              s.close();
            }
          });
        }
      } else if ("approved".equals(type)) {
        ledger.count("approved frames");
      }
    }

    private void onEnd(Ledger.Attempt attempt, ClientWebSocket s) {
      Short code = s.closeStatusCode();
      int c = code == null ? 1006 : code;
      boolean first = attempt.endAt < 0;
      ledger.ended(attempt, c);
      if (!first) {
        return;
      }
      if (attempt.welcomeAt < 0) {
        synchronized (this) {
          if (!connecting) {
            retry(attempt, 300 + random.nextInt(1000)); // upgraded, then dropped before the welcome
          }
        }
        return;
      }
      synchronized (this) {
        if (heartbeatTimer >= 0) {
          vertx.cancelTimer(heartbeatTimer);
          heartbeatTimer = -1;
        }
        if (c == 4003) {
          generation++; // a rejected name is refused from now on: install under a new name
        }
      }
      retry(attempt, 100 + random.nextInt(500));
    }

    private void onRefused(Ledger.Attempt attempt, Ledger.Token token, Throwable cause) {
      ledger.ended(attempt, 0);
      if (cause instanceof UpgradeRejectedException u) {
        ledger.count("refused " + u.getStatus());
        if (u.getStatus() == 403) {
          if (!ledger.nameRejected(account, attempt.delegateName)) {
            ledger.violation("handshake of " + account + "/" + attempt.delegateName + " refused 403 but the name was "
                + "never rejected");
          }
          synchronized (this) {
            generation++;
          }
        } else if (u.getStatus() == 401 && ledger.usable(token)) {
          ledger.count("refused 401 with a live token");
        }
      } else {
        ledger.count("connect failed");
      }
      retry(attempt, 300 + random.nextInt(1000));
    }

    /** Schedules the next connect once per attempt, so a client never holds two sessions. */
    private synchronized void retry(Ledger.Attempt attempt, long ms) {
      if (attempt == current && !attempt.retried) {
        attempt.retried = true;
        later(ms);
      }
    }

    private void later(long ms) {
      if (!stopping) {
        vertx.setTimer(ms, id -> connect());
      }
    }

    synchronized void leave() {
      if (socket != null && current != null && current.open()) {
        socket.close();
      }
    }
  }
}
