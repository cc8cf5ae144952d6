package io.delegatebroker.broker.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Many raw TCP connections from one loopback source address that never finish a request: each sends some bytes
 * (nothing, half a request line, ...) and then only what {@link #trickle} adds. Non-blocking, one selector on one
 * thread of its own, so thousands cost one thread and every close by the server (end of stream or reset) is noticed
 * when it happens, whatever the test does meanwhile. Bounded: at most {@code count} connections, closed by
 * {@link #close}.
 */
public final class Flood implements AutoCloseable {

  private final Selector selector;
  private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
  private final List<Long> closedAfterMillis = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean running = true;
  private Thread poller;
  private final ByteBuffer scratch = ByteBuffer.allocate(4096);
  private int refusedConnects;

  private Flood() throws IOException {
    this.selector = Selector.open();
  }

  /** Opens {@code count} connections from {@code localAddress} to 127.0.0.1:{@code port}, each sending {@code first}. */
  public static Flood open(String localAddress, int port, int count, byte[] first) throws IOException {
    Flood f = new Flood();
    for (int i = 0; i < count; i++) {
      f.add(localAddress, port, first);
    }
    f.poller = new Thread(f::pollLoop, "flood-" + localAddress);
    f.poller.setDaemon(true);
    f.poller.start();
    return f;
  }

  private void add(String localAddress, int port, byte[] first) throws IOException {
    SocketChannel ch = SocketChannel.open();
    ch.setOption(StandardSocketOptions.SO_LINGER, 0);
    ch.bind(new InetSocketAddress(localAddress, 0));
    long start = System.nanoTime();
    try {
      ch.connect(new InetSocketAddress("127.0.0.1", port));
      ch.configureBlocking(false);
      if (first.length > 0) {
        ch.write(ByteBuffer.wrap(first));
      }
      ch.register(selector, SelectionKey.OP_READ, start);
      open.add(ch);
    } catch (IOException e) {
      // the server's backlog was full or it reset the connection at once: held off before it was accepted
      refusedConnects++;
      closedAfterMillis.add((System.nanoTime() - start) / 1_000_000);
      ch.close();
    }
  }

  /** Writes the bytes on every connection still open (a slow client's next bytes). */
  public void trickle(byte[] bytes) {
    for (SocketChannel ch : List.copyOf(open)) {
      try {
        ch.write(ByteBuffer.wrap(bytes));
      } catch (IOException e) {
        // the server closed it: the poller notices
      }
    }
  }

  /** Waits up to {@code millis} for the server to close connections; returns how many are still open. */
  public int poll(long millis) throws IOException {
    long end = System.nanoTime() + millis * 1_000_000;
    synchronized (this) {
      while (!open.isEmpty()) {
        long left = (end - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          break;
        }
        try {
          wait(Math.min(left, 50));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    return open.size();
  }

  private void pollLoop() {
    try {
      while (running && !open.isEmpty()) {
        selector.select(100);
        for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
          SelectionKey key = it.next();
          it.remove();
          SocketChannel ch = (SocketChannel) key.channel();
          int n;
          try {
            scratch.clear();
            n = ch.read(scratch);
          } catch (IOException e) {
            n = -1;
          }
          if (n < 0) {
            closed(ch, key);
          }
        }
      }
    } catch (IOException | java.nio.channels.ClosedSelectorException e) {
      // closed by close()
    }
    synchronized (this) {
      notifyAll();
    }
  }

  private void closed(SocketChannel ch, SelectionKey key) {
    if (open.remove(ch)) {
      closedAfterMillis.add((System.nanoTime() - (Long) key.attachment()) / 1_000_000);
      key.cancel();
      try {
        ch.close();
      } catch (IOException ignored) {
        // already gone
      }
      if (open.isEmpty()) {
        synchronized (this) {
          notifyAll();
        }
      }
    }
  }

  /** Connections the server has not closed yet. */
  public int stillOpen() {
    return open.size();
  }

  /** Connections closed so far whose close came within {@code millis} of their connect. */
  public long closedWithin(long millis) {
    synchronized (closedAfterMillis) {
      return closedAfterMillis.stream().filter(t -> t <= millis).count();
    }
  }

  /** Connections closed so far. */
  public int closed() {
    return closedAfterMillis.size();
  }

  /** The longest time a closed connection was held, connect to close. */
  public long longestHeldMillis() {
    synchronized (closedAfterMillis) {
      return closedAfterMillis.stream().mapToLong(Long::longValue).max().orElse(0);
    }
  }

  /** Connects that failed outright. */
  public int refusedConnects() {
    return refusedConnects;
  }

  @Override
  public void close() throws IOException {
    running = false;
    selector.wakeup();
    try {
      poller.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (SocketChannel ch : open) {
      ch.close();
    }
    open.clear();
    selector.close();
  }
}
