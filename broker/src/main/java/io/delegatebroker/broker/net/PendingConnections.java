package io.delegatebroker.broker.net;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * Bounds the connections of one listener that are waiting for a complete request: a new connection, or a keep-alive
 * connection after its answer. Each has a deadline (its first request, or the next one on keep-alive); at the
 * deadline it is closed without an answer. At most {@code perAddress} may wait at once per source address (trusted
 * proxies are exempt, they carry many clients) and {@code total} in all; a connection over either cap is closed the
 * moment it is accepted, so one host can never hold more than its share of the node's file descriptors. Every close
 * is reported to {@code closed} with the peer address and its {@link Cause}.
 *
 * <p>A connection stops waiting when its request's headers arrive; from then on other limits hold it (the store
 * deadline during admission, the idle reaper after an upgrade). Runs on the event loops, never blocks: one timer per
 * waiting connection, on the connection's own event loop.
 */
public final class PendingConnections {

  /** Why a connection was closed before it sent a request; the tag is the {@code reason} of its metric and log. */
  public enum Cause {
    HANDSHAKE_TIMEOUT("handshake_timeout"),
    IDLE_TIMEOUT("idle_timeout"),
    ADDRESS_CAP("address_cap"),
    TOTAL_CAP("total_cap");

    private final String tag;

    Cause(String tag) {
      this.tag = tag;
    }

    public String asTag() {
      return tag;
    }
  }

  private final long firstRequestMillis;
  private final long nextRequestMillis;
  private final int perAddress;
  private final int total;
  private final ClientAddresses clients;
  private final BiConsumer<String, Cause> closed;
  private final AtomicInteger waiting = new AtomicInteger();
  private final ConcurrentHashMap<String, Integer> byAddress = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<HttpConnection, Waiting> connections = new ConcurrentHashMap<>();

  /** One waiting connection: where it comes from, its deadline timer and whether it still counts. */
  private static final class Waiting {
    final String address;
    final Context context;
    final Cause reason;
    long timer = -1;

    Waiting(String address, Context context, Cause reason) {
      this.address = address;
      this.context = context;
      this.reason = reason;
    }
  }

  /**
   * @param firstRequest time from accept to the end of the first request's headers
   * @param nextRequest time a keep-alive connection may wait, after an answer, for its next request
   */
  public PendingConnections(Duration firstRequest, Duration nextRequest, int perAddress, int total,
      ClientAddresses clients, BiConsumer<String, Cause> closed) {
    this.firstRequestMillis = firstRequest.toMillis();
    this.nextRequestMillis = nextRequest.toMillis();
    this.perAddress = perAddress;
    this.total = total;
    this.clients = clients;
    this.closed = closed;
  }

  /** Connections waiting for a request now (only those admitted: never more than the total cap). */
  public int waiting() {
    return connections.size();
  }

  /** The listener's connection handler: a new connection starts waiting for its first request. */
  public void accepted(HttpConnection conn) {
    conn.closeHandler(v -> release(conn));
    wait(conn, firstRequestMillis, Cause.HANDSHAKE_TIMEOUT);
  }

  /** A request's headers arrived on the connection: it no longer waits. */
  public void requestArrived(HttpConnection conn) {
    release(conn);
  }

  /** The connection's answer was sent and it stays open (keep-alive, or a refused handshake): it waits again. */
  public void answered(HttpConnection conn) {
    wait(conn, nextRequestMillis, Cause.IDLE_TIMEOUT);
  }

  private void wait(HttpConnection conn, long deadlineMillis, Cause timeoutReason) {
    String address = ClientAddresses.peer(conn.remoteAddress());
    if (waiting.incrementAndGet() > total) {
      waiting.decrementAndGet();
      refuse(conn, address, Cause.TOTAL_CAP);
      return;
    }
    boolean capped = !clients.trusted(address);
    if (capped && byAddress.merge(address, 1, Integer::sum) > perAddress) {
      waiting.decrementAndGet();
      decrement(address);
      refuse(conn, address, Cause.ADDRESS_CAP);
      return;
    }
    Context context = Vertx.currentContext();
    Waiting w = new Waiting(capped ? address : null, context, timeoutReason);
    Waiting before = connections.put(conn, w);
    if (before != null) {
      forget(before);
    }
    if (context != null) {
      w.timer = context.owner().setTimer(deadlineMillis, id -> {
        if (connections.remove(conn, w)) {
          forget(w);
          refuse(conn, address, w.reason);
        }
      });
    }
  }

  private void release(HttpConnection conn) {
    Waiting w = connections.remove(conn);
    if (w != null) {
      forget(w);
      if (w.timer >= 0) {
        w.context.owner().cancelTimer(w.timer);
      }
    }
  }

  private void forget(Waiting w) {
    waiting.decrementAndGet();
    if (w.address != null) {
      decrement(w.address);
    }
  }

  private void decrement(String address) {
    byAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
  }

  private void refuse(HttpConnection conn, String address, Cause reason) {
    closed.accept(address, reason);
    conn.close();
  }
}
