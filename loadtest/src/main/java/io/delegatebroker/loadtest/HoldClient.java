package io.delegatebroker.loadtest;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * Opens N delegate sessions as fast as a bounded number of handshakes in flight allows, measures the connect rate
 * and the time to the welcome frame, then holds the sessions (heartbeating at the welcome's interval) until a stop
 * file appears or a time limit passes, and closes them. Made for the benchmark, where Gatling's per-user machinery
 * would cost more than the sessions it holds; one process holds at most ~9,000 sessions under a 20,000 open-file
 * limit, so bench.sh spreads a node's sessions over several of these.
 *
 * <p>Usage: {@code HOLD_TOKEN=<token> java -cp loadtest/target/loadtest-tools.jar io.delegatebroker.loadtest.HoldClient
 * --url ws://127.0.0.1:18080[,ws://...] --account <id> --sessions 5000 [--concurrency 64] [--name-prefix p1]
 * [--instances-per-delegate 4] [--local-address 127.0.0.2] [--status-file f.json] [--stop-file f.stop]
 * [--max-seconds 900] [--hold-seconds -1] [--heartbeat-seconds 0] [--retries 0] [--go-file f.go]}.
 * {@code --hold-seconds 0} closes everything as soon as all are open (warm-up); {@code --heartbeat-seconds 0} takes
 * the interval from the welcome frame.
 * With {@code --go-file} the process starts up, reports phase {@code waiting} and connects only once that file exists,
 * so that a fleet of processes starts connecting together rather than as each JVM happens to come up.
 * Several comma-separated URLs spread the sessions round-robin over them (session i to URL i mod n).
 * Only loopback targets are accepted unless {@code --allow-remote true}.
 *
 * <p>A heartbeat sent while the session's previous one is still unacknowledged counts as a late ack
 * ({@code lateAcks} in the status): the server missed one heartbeat period, which a hold must not see.
 */
public final class HoldClient {

  private static final String HEARTBEAT = "{\"type\":\"heartbeat\"}";

  private final Vertx vertx;
  private final WebSocketClient client;
  private final URI[] urls;
  private final String account;
  private final String token;
  private final int sessions;
  private final int concurrency;
  /** Handshakes tried again after a failure (a refusal or an error), per session; 0 = none. */
  private final int retries;
  private final LongAdder retried = new LongAdder();
  private final String prefix;
  private final int perDelegate;
  private final int heartbeatOverride;

  private final AtomicInteger started = new AtomicInteger();
  private final AtomicInteger opened = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private final LongAdder heartbeatsSent = new LongAdder();
  private final LongAdder acks = new LongAdder();
  private final LongAdder lateAcks = new LongAdder();
  private final Map<String, LongAdder> serverCloses = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  private final WebSocket[] sockets;
  private final long[] welcomeNanos;
  /** Per session: a heartbeat is waiting for its ack. Each index is touched only on its socket's event loop. */
  private final boolean[] awaitingAck;
  private final AtomicLong firstStartNanos = new AtomicLong();
  private final long startedAtMillis = System.currentTimeMillis();
  private final long startedAtNanos = System.nanoTime();
  private final AtomicLong lastWelcomeNanos = new AtomicLong();
  /** First and last close frame from the server (nanoTime, 0 = none): how long a mass close took, seen by the client. */
  private final AtomicLong firstServerCloseNanos = new AtomicLong();
  private final AtomicLong lastServerCloseNanos = new AtomicLong();
  private final AtomicReference<String> phase = new AtomicReference<>("connecting");
  private volatile boolean closing;

  private HoldClient(Args a) throws IOException {
    this.urls = Arrays.stream(a.required("url").split(",")).map(String::trim).map(URI::create).toArray(URI[]::new);
    boolean remote = "true".equals(a.string("allow-remote", "false"));
    for (URI url : urls) {
      if (!remote && !InetAddress.getByName(url.getHost()).isLoopbackAddress()) {
        throw Args.fail("--url must be loopback addresses (127.0.0.0/8, ::1) unless --allow-remote true");
      }
    }
    this.account = a.required("account");
    String t = a.string("token", System.getenv("HOLD_TOKEN"));
    this.token = t == null ? "none" : t;
    this.sessions = a.integer("sessions", 1000);
    if (sessions < 1 || sessions > 18_000) {
      throw Args.fail("--sessions must be between 1 and 18000 (one process, 20,000 open files)");
    }
    this.concurrency = Math.max(1, Math.min(1000, a.integer("concurrency", 64)));
    this.prefix = a.string("name-prefix", "hold");
    this.perDelegate = Math.max(1, a.integer("instances-per-delegate", 4));
    this.heartbeatOverride = a.integer("heartbeat-seconds", 0);
    this.retries = Math.max(0, Math.min(10, a.integer("retries", 0)));
    this.sockets = new WebSocket[sessions];
    this.welcomeNanos = new long[sessions];
    this.awaitingAck = new boolean[sessions];
    Arrays.fill(welcomeNanos, -1);
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.max(1, a.integer("event-loops", 2))));
    WebSocketClientOptions options = new WebSocketClientOptions()
        .setMaxConnections(sessions + 16)
        .setConnectTimeout(30_000)
        .setMaxFrameSize(128 * 1024)
        .setMaxMessageSize(128 * 1024);
    String local = a.string("local-address", null);
    if (local != null) {
      options.setLocalAddress(local);
    }
    this.client = vertx.createWebSocketClient(options);
  }

  public static void main(String[] argv) throws Exception {
    Args a;
    HoldClient c;
    try {
      a = new Args(argv);
      c = new HoldClient(a);
    } catch (IllegalArgumentException e) {
      System.err.println("hold-client: " + e.getMessage());
      System.exit(2);
      return;
    }
    Path status = Path.of(a.string("status-file", "hold-status.json"));
    Path stop = a.string("stop-file", null) == null ? null : Path.of(a.string("stop-file", null));
    long maxMillis = TimeUnit.SECONDS.toMillis(Math.max(1, Math.min(3600, a.integer("max-seconds", 900))));
    int holdSeconds = a.integer("hold-seconds", -1);
    long deadline = System.currentTimeMillis() + maxMillis;
    Path go = a.string("go-file", null) == null ? null : Path.of(a.string("go-file", null));
    if (go != null) {
      c.phase.set("waiting");
      while (!Files.exists(go) && System.currentTimeMillis() < deadline && (stop == null || !Files.exists(stop))) {
        c.writeStatus(status);
        Thread.sleep(100);
      }
      c.phase.set("connecting");
    }

    c.firstStartNanos.set(System.nanoTime());
    for (int i = 0; i < Math.min(c.concurrency, c.sessions); i++) {
      c.next();
    }
    long holdingSince = -1;
    while (System.currentTimeMillis() < deadline) {
      boolean allDone = c.opened.get() + c.failed.get() >= c.sessions;
      if (allDone && holdingSince < 0) {
        holdingSince = System.currentTimeMillis();
        c.phase.set("holding");
      }
      c.writeStatus(status);
      if (stop != null && Files.exists(stop)) {
        break;
      }
      if (holdingSince >= 0 && holdSeconds >= 0 && System.currentTimeMillis() - holdingSince >= holdSeconds * 1000L) {
        break;
      }
      Thread.sleep(allDone ? 500 : 100);
    }
    c.phase.set("closing");
    c.writeStatus(status);
    c.closeAll();
    c.phase.set("done");
    c.writeStatus(status);
    System.out.println("HOLD_RESULT " + c.summary().encode());
    c.vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> null).join();
    System.exit(0);
  }

  /** Starts the next connect, if any is left; called again when it completes, so at most {@code concurrency} are in flight. */
  private void next() {
    int i = started.getAndIncrement();
    if (i >= sessions || closing) {
      return;
    }
    connect(i, 0);
  }

  /** One handshake for session {@code i}; a failed one is tried again after 0.5 s, at most {@code --retries} times. */
  private void connect(int i, int attempt) {
    URI url = urls[i % urls.length];
    WebSocketConnectOptions o = new WebSocketConnectOptions()
        .setHost(url.getHost()).setPort(url.getPort() < 0 ? 80 : url.getPort())
        .setURI("/v1/delegates/connect")
        .addHeader("Authorization", "Delegate " + token)
        .addHeader("X-Account-Id", account)
        .addHeader("X-Delegate-Name", prefix + "-d" + (i / perDelegate))
        .addHeader("X-Delegate-Instance", "i" + (i % perDelegate));
    long t0 = System.nanoTime();
    client.connect(o).onComplete(ar -> {
      if (ar.failed()) {
        failures.computeIfAbsent(shortMessage(ar.cause()), k -> new LongAdder()).increment();
        if (attempt < retries && !closing) {
          retried.increment();
          vertx.setTimer(500, t -> connect(i, attempt + 1));
        } else {
          failed.incrementAndGet();
          next();
        }
        return;
      }
      WebSocket ws = ar.result();
      sockets[i] = ws;
      open.incrementAndGet();
      boolean[] welcomed = {false};
      ws.textMessageHandler(text -> {
        if (!welcomed[0]) {
          welcomed[0] = true;
          long now = System.nanoTime();
          welcomeNanos[i] = now - t0;
          lastWelcomeNanos.accumulateAndGet(now, Math::max);
          opened.incrementAndGet();
          int hb = heartbeatOverride > 0 ? heartbeatOverride : welcomeHeartbeat(text);
          long periodMs = hb * 1000L;
          long firstMs = 1 + ThreadLocalRandom.current().nextLong(periodMs);
          vertx.setPeriodic(firstMs, periodMs, id -> {
            if (closing || ws.isClosed()) {
              vertx.cancelTimer(id);
              return;
            }
            heartbeatsSent.increment();
            if (awaitingAck[i]) {
              lateAcks.increment();
            }
            awaitingAck[i] = true;
            ws.writeTextMessage(HEARTBEAT);
          });
          next();
        } else if (text.contains("heartbeat_ack")) {
          awaitingAck[i] = false;
          acks.increment();
        }
      });
      // A server close is stamped when its close frame arrives (shutdown), or when the connection ends without one.
      boolean[] stamped = {false};
      Runnable stamp = () -> {
        if (!closing && !stamped[0]) {
          stamped[0] = true;
          long closedAt = System.nanoTime();
          firstServerCloseNanos.compareAndSet(0, closedAt);
          lastServerCloseNanos.accumulateAndGet(closedAt, Math::max);
        }
      };
      ws.shutdownHandler(v -> stamp.run());
      ws.closeHandler(v -> {
        open.decrementAndGet();
        if (!closing) {
          stamp.run();
          serverCloses.computeIfAbsent(ws.closeStatusCode() + " " + ws.closeReason(), k -> new LongAdder()).increment();
          if (!welcomed[0]) {
            failed.incrementAndGet();
            next();
          }
        }
      });
    });
  }

  private static int welcomeHeartbeat(String text) {
    try {
      JsonObject w = new JsonObject(text);
      Integer hb = w.getInteger("heartbeatSeconds");
      return hb == null || hb < 1 ? 30 : hb;
    } catch (RuntimeException e) {
      return 30;
    }
  }

  private void closeAll() throws InterruptedException {
    closing = true;
    for (WebSocket ws : sockets) {
      if (ws != null && !ws.isClosed()) {
        ws.close();
      }
    }
    long until = System.currentTimeMillis() + 15_000;
    while (open.get() > 0 && System.currentTimeMillis() < until) {
      Thread.sleep(100);
    }
  }

  private JsonObject summary() {
    long[] lat = Arrays.stream(welcomeNanos).filter(n -> n >= 0).sorted().toArray();
    long first = firstStartNanos.get();
    long last = lastWelcomeNanos.get();
    double seconds = last > first ? (last - first) / 1e9 : 0;
    JsonObject closes = new JsonObject();
    serverCloses.forEach((k, v) -> closes.put(k, v.sum()));
    JsonObject fails = new JsonObject();
    failures.forEach((k, v) -> fails.put(k, v.sum()));
    return new JsonObject()
        .put("phase", phase.get())
        .put("url", Arrays.stream(urls).map(URI::toString).collect(Collectors.joining(",")))
        .put("sessions", sessions)
        .put("concurrency", concurrency)
        .put("opened", opened.get())
        .put("failed", failed.get())
        .put("open", open.get())
        .put("heartbeatsSent", heartbeatsSent.sum())
        .put("acks", acks.sum())
        .put("lateAcks", lateAcks.sum())
        .put("serverCloses", closes)
        .put("failures", fails)
        .put("retried", retried.sum())
        .put("connectSeconds", round(seconds))
        // Wall-clock bounds of the connect phase, so that bench.sh can add up several client processes.
        .put("startedAtMillis", startedAtMillis + (first - startedAtNanos) / 1_000_000)
        .put("lastWelcomeAtMillis", last == 0 ? 0 : startedAtMillis + (last - startedAtNanos) / 1_000_000)
        .put("firstServerCloseAtMillis", wallMillis(firstServerCloseNanos.get()))
        .put("lastServerCloseAtMillis", wallMillis(lastServerCloseNanos.get()))
        .put("connectsPerSecond", seconds > 0 ? round(opened.get() / seconds) : 0)
        .put("welcomeMillis", new JsonObject()
            .put("p50", pct(lat, 50)).put("p90", pct(lat, 90)).put("p99", pct(lat, 99))
            .put("max", lat.length == 0 ? 0 : round(lat[lat.length - 1] / 1e6)));
  }

  /** Wall-clock milliseconds of a nanoTime stamp of this run (0 stays 0). */
  private long wallMillis(long nanos) {
    return nanos == 0 ? 0 : startedAtMillis + (nanos - startedAtNanos) / 1_000_000;
  }

  private void writeStatus(Path status) {
    try {
      Path tmp = status.resolveSibling(status.getFileName() + ".tmp");
      Files.writeString(tmp, summary().encode() + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, status, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      System.err.println("hold-client: cannot write status: " + e.getMessage());
    }
  }

  private static double pct(long[] sorted, int p) {
    if (sorted.length == 0) {
      return 0;
    }
    int idx = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
    return round(sorted[Math.max(0, idx)] / 1e6);
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  private static String shortMessage(Throwable t) {
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    m = m.lines().findFirst().orElse(m);
    return m.length() > 120 ? m.substring(0, 120) : m;
  }
}
