package io.delegatebroker.delegate.it;

import io.delegatebroker.broker.testkit.Await;
import io.delegatebroker.broker.testkit.Ports;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP front between the delegate and a real broker node, standing in for the network and a load balancer: it
 * forwards bytes both ways, and on request answers a connection with a canned HTTP response (a proxy's 503), drops
 * every connection without a close frame (1006, network loss), sends a clean close frame 1000 in the broker's place,
 * or stops listening altogether (the manager unreachable).
 */
final class TcpFront implements AutoCloseable {

  /** A server-to-client WebSocket close frame, unmasked: FIN + opcode 8, length 2, code 1000. */
  private static final byte[] CLOSE_1000 = {(byte) 0x88, 0x02, 0x03, (byte) 0xE8};

  private final Vertx vertx;
  private final int port = Ports.free();
  private volatile int target;
  private final NetClient upstreamClient;
  private final Queue<String> canned = new ConcurrentLinkedQueue<>();
  private final List<Long> connectedAt = new CopyOnWriteArrayList<>();
  private final List<NetSocket[]> pairs = new CopyOnWriteArrayList<>();
  private NetServer server;

  TcpFront(Vertx vertx, int target) {
    this.vertx = vertx;
    this.target = target;
    this.upstreamClient = vertx.createNetClient();
    listen();
  }

  int port() {
    return port;
  }

  /** New connections go to this port from now on (a load balancer taking a draining node out). */
  void retarget(int port) {
    target = port;
  }

  /** The next connection gets this raw HTTP response instead of the broker. */
  void answerNextWith(String rawResponse) {
    canned.add(rawResponse);
  }

  /** {@link System#nanoTime()} of every accepted connection. */
  List<Long> connections() {
    return List.copyOf(connectedAt);
  }

  void listen() {
    server = vertx.createNetServer().connectHandler(this::accept);
    Await.result(server.listen(port, "127.0.0.1"));
  }

  /** Stops listening and drops every connection: the manager is unreachable. */
  void stopListening() {
    Await.result(server.close());
    cut();
  }

  /** Drops every forwarded connection without a WebSocket close frame. */
  void cut() {
    for (NetSocket[] pair : pairs) {
      pair[0].close();
      pair[1].close();
    }
    pairs.clear();
  }

  /** Sends each delegate a close frame 1000 in the broker's place, then drops the connection. */
  void closeNormally() {
    for (NetSocket[] pair : pairs) {
      pair[1].pause();
      pair[0].write(Buffer.buffer(CLOSE_1000));
      vertx.setTimer(500, id -> {
        pair[0].close();
        pair[1].close();
      });
    }
    pairs.clear();
  }

  private void accept(NetSocket client) {
    connectedAt.add(System.nanoTime());
    String response = canned.poll();
    if (response != null) {
      AtomicBoolean answered = new AtomicBoolean();
      client.handler(request -> {
        if (answered.compareAndSet(false, true)) {
          client.write(response).onComplete(v -> client.close());
        }
      });
      return;
    }
    client.pause();
    upstreamClient.connect(target, "127.0.0.1").onSuccess(upstream -> {
      pairs.add(new NetSocket[] {client, upstream});
      client.pipeTo(upstream);
      upstream.pipeTo(client);
    }).onFailure(t -> client.close());
  }

  @Override
  public void close() {
    server.close();
    cut();
    upstreamClient.close();
  }
}
