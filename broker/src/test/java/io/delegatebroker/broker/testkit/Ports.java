package io.delegatebroker.broker.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Free loopback ports for test nodes. They are taken below the kernel's ephemeral range (32768+ here), walking from a
 * random start: an ephemeral port handed out by the kernel could be given to some outgoing connection between the
 * check and the node's bind, which made nodes fail with "Address already in use" now and then.
 */
public final class Ports {

  private static final int LOW = 20_000;
  private static final int HIGH = 32_000;
  private static final AtomicInteger NEXT = new AtomicInteger(LOW + ThreadLocalRandom.current().nextInt(HIGH - LOW));

  private Ports() {
  }

  public static int free() {
    for (int attempt = 0; attempt < HIGH - LOW; attempt++) {
      int port = LOW + Math.floorMod(NEXT.getAndIncrement() - LOW, HIGH - LOW);
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(false);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return port;
      } catch (IOException taken) {
        // try the next one
      }
    }
    throw new IllegalStateException("no free port between " + LOW + " and " + HIGH);
  }
}
