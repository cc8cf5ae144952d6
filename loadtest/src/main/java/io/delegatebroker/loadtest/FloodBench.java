package io.delegatebroker.loadtest;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hostile-load benchmark: what one flooding host costs everyone else. Against a running node it measures, from a
 * clean address, the time from connect to {@code welcome} and the time a revoke takes to answer, first with no flood,
 * then while one other address keeps up to {@code --flood} connections open on both ports that never finish a
 * request (silent, half a request line, or trickling one byte a second) and reopens each one the node closes, at most
 * {@code --rate} new connections a second. Reports the latencies (p50, p95, max), how many flood connections were
 * attempted and how the node closed them (at the cap at once, at the deadline), and the most the node held.
 *
 * <p>Usage: {@code java -cp loadtest/target/loadtest-tools.jar io.delegatebroker.loadtest.FloodBench --delegate
 * http://127.0.0.1:18180 --admin http://127.0.0.1:18181 --key <root key> [--flood 4000] [--rate 2000]
 * [--flood-seconds 30] [--probes 40] [--flood-address 127.0.0.50] [--probe-address 127.0.0.51] [--out f.json]}.
 * Loopback targets only; every loop is bounded in count and time.
 */
public final class FloodBench {

  private final URI delegate;
  private final URI admin;
  private final String key;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final Vertx vertx = Vertx.vertx();
  private final WebSocketClient ws;
  private String account;
  private int tokens;

  private FloodBench(URI delegate, URI admin, String key, String probeAddress) {
    this.delegate = delegate;
    this.admin = admin;
    this.key = key;
    this.ws = vertx.createWebSocketClient(new WebSocketClientOptions().setLocalAddress(probeAddress)
        .setConnectTimeout(30_000));
  }

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv);
    URI delegate = URI.create(args.required("delegate"));
    URI admin = URI.create(args.required("admin"));
    for (URI u : List.of(delegate, admin)) {
      if (!InetAddress.getByName(u.getHost()).isLoopbackAddress()) {
        throw Args.fail("only loopback targets: " + u);
      }
    }
    int flood = Math.min(args.integer("flood", 4000), 15_000);
    int rate = Math.min(args.integer("rate", 2000), 20_000);
    int floodSeconds = Math.min(args.integer("flood-seconds", 30), 300);
    int probes = Math.min(args.integer("probes", 40), 1000);
    String floodAddress = args.string("flood-address", "127.0.0.50");
    FloodBench bench = new FloodBench(delegate, admin, args.required("key"), args.string("probe-address", "127.0.0.51"));
    try {
      JsonObject result = bench.run(flood, rate, floodSeconds, probes, floodAddress);
      String out = args.string("out", null);
      if (out != null) {
        Files.writeString(Path.of(out), result.encodePrettily());
      }
      System.out.println(result.encodePrettily());
    } finally {
      bench.vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private JsonObject run(int flood, int rate, int floodSeconds, int probes, String floodAddress) throws Exception {
    account = call("POST", "/v1/accounts", "{\"name\":\"flood-bench\"}").getString("id");
    probe(Math.max(5, probes / 4), "warmup"); // JIT and connection pools, not measured
    JsonObject quiet = probe(probes, "quiet");
    JsonObject before = metrics();
    Flood f = new Flood(floodAddress, flood, rate, floodSeconds);
    Thread floodThread = new Thread(f, "flood");
    floodThread.start();
    // let the flood reach its steady state before measuring: past one 10 s handshake deadline, so that the node is
    // both closing connections at the cap and timing out the ones it held
    Thread.sleep(Math.min(12_000, floodSeconds * 300L));
    long[] maxHeld = {0, 0};
    Thread sampler = new Thread(() -> {
      while (f.running()) {
        try {
          JsonObject m = metrics();
          maxHeld[0] = Math.max(maxHeld[0], m.getLong("pending_delegate"));
          maxHeld[1] = Math.max(maxHeld[1], m.getLong("pending_admin"));
          Thread.sleep(250);
        } catch (Exception e) {
          return;
        }
      }
    }, "sampler");
    sampler.start();
    JsonObject during = probe(probes, "flood");
    f.stop();
    floodThread.join(30_000);
    sampler.join(5_000);
    JsonObject after = metrics();
    JsonObject closedByNode = new JsonObject();
    for (String k : after.fieldNames()) {
      if (k.startsWith("closed_")) {
        closedByNode.put(k.substring(7), after.getLong(k) - before.getLong(k, 0L));
      }
    }
    return new JsonObject()
        .put("quiet", quiet)
        .put("during_flood", during)
        .put("flood", f.report()
            .put("max_held_by_node_delegate_port", maxHeld[0])
            .put("max_held_by_node_admin_port", maxHeld[1])
            .put("closed_by_node", closedByNode));
  }

  /** Connect-to-welcome and revoke latencies: each probe connects one delegate on a new token, then revokes it. */
  private JsonObject probe(int probes, String phase) throws Exception {
    long[] connect = new long[probes];
    long[] revoke = new long[probes];
    int failures = 0;
    for (int i = 0; i < probes; i++) {
      String name = phase + "-" + (tokens++);
      String value = call("POST", "/v1/accounts/" + account + "/tokens", "{\"name\":\"" + name + "\"}").getString("value");
      long t0 = System.nanoTime();
      CompletableFuture<Void> welcomed = new CompletableFuture<>();
      CompletableFuture<Void> revoked = new CompletableFuture<>();
      WebSocketConnectOptions o = new WebSocketConnectOptions().setHost(delegate.getHost()).setPort(delegate.getPort())
          .setURI("/v1/delegates/connect").addHeader("Authorization", "Delegate " + value)
          .addHeader("X-Account-Id", account).addHeader("X-Delegate-Name", name);
      ws.connect(o).onSuccess(s -> {
        s.textMessageHandler(m -> {
          if (m.contains("\"welcome\"")) {
            welcomed.complete(null);
          }
        });
        s.closeHandler(v -> revoked.complete(null));
      }).onFailure(welcomed::completeExceptionally);
      try {
        welcomed.get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        failures++;
        connect[i] = -1;
        revoke[i] = -1;
        continue;
      }
      connect[i] = System.nanoTime() - t0;
      long t1 = System.nanoTime();
      JsonObject r = call("POST", "/v1/accounts/" + account + "/tokens/" + name + "/revoke", null);
      revoke[i] = System.nanoTime() - t1;
      if (r.getInteger("evicted", 0) != 1) {
        failures++;
      }
      revoked.get(30, TimeUnit.SECONDS);
    }
    return new JsonObject().put("probes", probes).put("failures", failures)
        .put("connect_ms", stats(connect)).put("revoke_ms", stats(revoke));
  }

  private static JsonObject stats(long[] nanos) {
    long[] ok = Arrays.stream(nanos).filter(n -> n >= 0).sorted().toArray();
    if (ok.length == 0) {
      return new JsonObject();
    }
    return new JsonObject().put("p50", ms(ok[(ok.length - 1) / 2])).put("p95", ms(ok[(int) Math.ceil(ok.length * 0.95) - 1]))
        .put("max", ms(ok[ok.length - 1]));
  }

  private static double ms(long nanos) {
    return Math.round(nanos / 10_000.0) / 100.0;
  }

  private JsonObject call(String method, String path, String body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(admin.resolve(path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) {
      throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return new JsonObject(r.body());
  }

  /** The node's flood-related series: connections waiting, and closed before a request, by listener and reason. */
  private JsonObject metrics() throws IOException, InterruptedException {
    String text = http.send(HttpRequest.newBuilder(admin.resolve("/metrics")).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    JsonObject m = new JsonObject().put("pending_delegate", 0L).put("pending_admin", 0L);
    for (String line : text.split("\n")) {
      if (line.startsWith("broker_pending_connections{")) {
        m.put(line.contains("listener=\"admin\"") ? "pending_admin" : "pending_delegate", value(line));
      } else if (line.startsWith("broker_connections_closed_total{")) {
        String listener = label(line, "listener");
        m.put("closed_" + listener + "_" + label(line, "reason"), value(line));
      }
    }
    return m;
  }

  private static long value(String line) {
    return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
  }

  private static String label(String line, String name) {
    int i = line.indexOf(name + "=\"") + name.length() + 2;
    return line.substring(i, line.indexOf('"', i));
  }

  /**
   * The flooding host: keeps up to {@code target} connections open from one address, 80% on the delegate port and
   * 20% on the admin port, a third each silent, half-sent and slow; reopens what the node closes, at most
   * {@code rate} connects a second; stops after {@code seconds} at the latest.
   */
  private final class Flood implements Runnable {
    private final String address;
    private final int target;
    private final int rate;
    private final long endNanos;
    private volatile boolean stop;
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong connectFailures = new AtomicLong();
    private final AtomicLong closedWithin1s = new AtomicLong();
    private final AtomicLong closedLater = new AtomicLong();
    private long maxOpen;
    private long longestHeldMs;
    private volatile boolean running = true;

    Flood(String address, int target, int rate, int seconds) {
      this.address = address;
      this.target = target;
      this.rate = rate;
      this.endNanos = System.nanoTime() + seconds * 1_000_000_000L;
    }

    boolean running() {
      return running;
    }

    void stop() {
      stop = true;
    }

    /** One flood connection: when it was opened and whether it trickles. */
    private record Conn(long openedNanos, boolean slow) {
    }

    @Override
    public void run() {
      byte[] half = "GET /v1/delegates/connect HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII);
      ByteBuffer scratch = ByteBuffer.allocate(4096);
      ByteBuffer one = ByteBuffer.wrap(new byte[] {'X'});
      List<SelectionKey> slow = new ArrayList<>();
      long lastTrickle = System.nanoTime();
      try (Selector selector = Selector.open()) {
        long windowStart = System.nanoTime();
        long inWindow = 0;
        while (!stop && System.nanoTime() < endNanos) {
          long now = System.nanoTime();
          if (now - windowStart >= 100_000_000L) {
            windowStart = now;
            inWindow = 0;
          }
          int open = selector.keys().size();
          maxOpen = Math.max(maxOpen, open);
          while (open < target && inWindow < rate / 10) {
            long n = attempts.incrementAndGet();
            boolean toAdmin = n % 5 == 0;
            int kind = (int) (n % 3);
            SocketChannel ch = SocketChannel.open();
            try {
              ch.bind(new InetSocketAddress(address, 0));
              ch.configureBlocking(false);
              ch.connect(new InetSocketAddress(delegate.getHost(), toAdmin ? admin.getPort() : delegate.getPort()));
              SelectionKey k = ch.register(selector, SelectionKey.OP_CONNECT, new Conn(System.nanoTime(), kind == 2));
              k.attach(new Object[] {k.attachment(), kind == 1 ? half : kind == 2 ? new byte[] {'G'} : new byte[0]});
            } catch (IOException e) {
              connectFailures.incrementAndGet();
              ch.close();
            }
            open++;
            inWindow++;
          }
          selector.select(20);
          for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
            SelectionKey k = it.next();
            it.remove();
            if (!k.isValid()) {
              continue;
            }
            SocketChannel ch = (SocketChannel) k.channel();
            Object[] att = (Object[]) k.attachment();
            Conn c = (Conn) att[0];
            try {
              if (k.isConnectable()) {
                try {
                  ch.finishConnect();
                } catch (IOException e) {
                  // refused before it was accepted (a full accept queue)
                  connectFailures.incrementAndGet();
                  k.cancel();
                  ch.close();
                  continue;
                }
                byte[] first = (byte[]) att[1];
                if (first.length > 0) {
                  ch.write(ByteBuffer.wrap(first));
                }
                k.interestOps(SelectionKey.OP_READ);
                if (c.slow()) {
                  slow.add(k);
                }
              } else if (k.isReadable()) {
                scratch.clear();
                if (ch.read(scratch) < 0) {
                  closed(k, c);
                }
              }
            } catch (IOException e) {
              closed(k, c);
            }
          }
          if (System.nanoTime() - lastTrickle > 1_000_000_000L) {
            lastTrickle = System.nanoTime();
            slow.removeIf(k -> !k.isValid());
            for (SelectionKey k : slow) {
              try {
                ((SocketChannel) k.channel()).write(one.duplicate());
              } catch (IOException e) {
                // closed: the read side notices
              }
            }
          }
        }
        for (SelectionKey k : selector.keys()) {
          k.channel().close();
        }
      } catch (IOException e) {
        System.err.println("flood: " + e);
      } finally {
        running = false;
      }
    }

    private void closed(SelectionKey k, Conn c) {
      long held = (System.nanoTime() - c.openedNanos()) / 1_000_000;
      (held <= 1000 ? closedWithin1s : closedLater).incrementAndGet();
      longestHeldMs = Math.max(longestHeldMs, held);
      k.cancel();
      try {
        k.channel().close();
      } catch (IOException ignored) {
        // gone
      }
    }

    JsonObject report() {
      return new JsonObject().put("target_open", target).put("max_connects_per_second", rate)
          .put("attempted", attempts.get()).put("connect_failures", connectFailures.get())
          .put("closed_within_1s", closedWithin1s.get()).put("closed_later", closedLater.get())
          .put("max_open_client_side", maxOpen).put("longest_held_ms", longestHeldMs);
    }
  }

  static {
    Locale.setDefault(Locale.ROOT);
  }
}
